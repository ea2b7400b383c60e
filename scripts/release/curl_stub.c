/*
 * libcurl stand-ins for the release binary (scripts/release.sh archives them as libcurl.a).
 *
 * octopost's HTTP client is async-http-client (SwiftNIO); nothing in octopost uses URLSession. But
 * FlyingFox (the emulators' server) has a proxy handler that imports FoundationNetworking, so the static
 * link asks for libcurl, which URLSession is built on. Debian has no self-contained static libcurl (it
 * needs Kerberos and LDAP), and a shared one would tie the binary to libcurl and a dozen libraries of its
 * own. These stand-ins keep the binary free of them: if anything ever reached URLSession, the program
 * stops with a message saying so instead of misbehaving. Signatures are opaque; only the names matter.
 */
#include <stdio.h>
#include <stdlib.h>

static void no_urlsession(const char *function) {
    fprintf(stderr, "octopost: %s: this release binary has no URLSession (libcurl); "
                    "please report this at octopost's issue tracker\n", function);
    abort();
}

#define STOP(name) void *name(void) { no_urlsession(#name); return 0; }

STOP(curl_easy_cleanup)
STOP(curl_easy_getinfo)
STOP(curl_easy_init)
STOP(curl_easy_pause)
STOP(curl_easy_setopt)
STOP(curl_easy_strerror)
STOP(curl_free)
STOP(curl_global_init)
STOP(curl_multi_add_handle)
STOP(curl_multi_assign)
STOP(curl_multi_cleanup)
STOP(curl_multi_info_read)
STOP(curl_multi_init)
STOP(curl_multi_remove_handle)
STOP(curl_multi_setopt)
STOP(curl_multi_socket_action)
STOP(curl_slist_append)
STOP(curl_slist_free_all)
STOP(curl_url)
STOP(curl_url_get)
STOP(curl_url_set)
STOP(curl_version_info)

char *curl_version(void) { return "none (octopost release binary: no URLSession)"; }
