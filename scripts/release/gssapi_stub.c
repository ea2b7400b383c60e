/*
 * GSSAPI stand-ins for the release binary (scripts/release.sh links them instead of libgssapi_krb5).
 *
 * Debian's static libgit2 calls GSSAPI only for HTTP "Negotiate" (Kerberos/SPNEGO) authentication to a
 * git remote, and Debian ships no static libgssapi_krb5. octopost pushes with a token (an Authorization
 * extra header or OCTOPOST_GIT_TOKEN), never with Kerberos, so the release binary answers "no GSSAPI
 * mechanism" instead of depending on the Kerberos shared libraries: libgit2 then reports that Negotiate
 * authentication failed, as it does on a machine without Kerberos credentials.
 *
 * Signatures follow RFC 2744 with opaque pointers; every argument except minor_status is ignored.
 */
typedef unsigned int OM_uint32;

#define GSS_S_COMPLETE 0u
#define GSS_S_FAILURE (13u << 16)
#define GSS_S_UNAVAILABLE (16u << 16)

/* gss_OID_desc and the one OID constant libgit2 names (1.2.840.113554.1.2.1.4, RFC 2744). */
typedef struct { OM_uint32 length; void *elements; } gss_OID_desc;
static gss_OID_desc hostbased_service = {10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
gss_OID_desc *GSS_C_NT_HOSTBASED_SERVICE = &hostbased_service;

static OM_uint32 unavailable(OM_uint32 *minor_status) {
    if (minor_status) *minor_status = 0;
    return GSS_S_UNAVAILABLE;
}

static OM_uint32 done(OM_uint32 *minor_status) {
    if (minor_status) *minor_status = 0;
    return GSS_S_COMPLETE;
}

OM_uint32 gss_indicate_mechs(OM_uint32 *minor_status, void **mech_set) {
    if (mech_set) *mech_set = 0;
    return unavailable(minor_status);
}

OM_uint32 gss_import_name(OM_uint32 *minor_status, const void *input_name_buffer, const void *input_name_type,
                          void **output_name) {
    (void)input_name_buffer; (void)input_name_type;
    if (output_name) *output_name = 0;
    return unavailable(minor_status);
}

OM_uint32 gss_init_sec_context(OM_uint32 *minor_status, const void *claimant_cred_handle, void **context_handle,
                               const void *target_name, const void *mech_type, OM_uint32 req_flags,
                               OM_uint32 time_req, const void *input_chan_bindings, const void *input_token,
                               void **actual_mech_type, void *output_token, OM_uint32 *ret_flags,
                               OM_uint32 *time_rec) {
    (void)claimant_cred_handle; (void)context_handle; (void)target_name; (void)mech_type; (void)req_flags;
    (void)time_req; (void)input_chan_bindings; (void)input_token; (void)output_token;
    if (actual_mech_type) *actual_mech_type = 0;
    if (ret_flags) *ret_flags = 0;
    if (time_rec) *time_rec = 0;
    return unavailable(minor_status);
}

OM_uint32 gss_display_status(OM_uint32 *minor_status, OM_uint32 status_value, int status_type,
                             const void *mech_type, OM_uint32 *message_context, void *status_string) {
    /* gss_buffer_desc is { size_t length; void *value; }: leave it empty. */
    struct buffer { unsigned long length; void *value; } *out = status_string;
    (void)status_value; (void)status_type; (void)mech_type;
    if (message_context) *message_context = 0;
    if (out) { out->length = 0; out->value = 0; }
    return done(minor_status);
}

OM_uint32 gss_delete_sec_context(OM_uint32 *minor_status, void **context_handle, void *output_token) {
    (void)output_token;
    if (context_handle) *context_handle = 0;
    return done(minor_status);
}

OM_uint32 gss_release_buffer(OM_uint32 *minor_status, void *buffer) {
    (void)buffer;
    return done(minor_status);
}

OM_uint32 gss_release_name(OM_uint32 *minor_status, void **name) {
    if (name) *name = 0;
    return done(minor_status);
}

OM_uint32 gss_release_oid_set(OM_uint32 *minor_status, void **set) {
    if (set) *set = 0;
    return done(minor_status);
}
