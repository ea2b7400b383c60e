#!/usr/bin/env python3
"""Generate a content repository of N due posts for the sync benchmark.

    generate_sync_posts.py N DIR --now TIME [--platforms mastodon,bluesky,telegram] [--seed S]

DIR is created (it must not exist or must be empty): `git init -b main`, an `octopost.yaml`
(timezone UTC, git.push false, a Telegram chat id) and N posts under content/2026/04/slug.md, then
one commit. Every post goes to every platform given, has no thread, no media and no draft flag, and
is scheduled in the hour before TIME (RFC 3339, e.g. 2026-04-10T12:00:00Z): past, so due, and well
within stale_after (7 days), so not expired.

Texts are short and realistic (sentences, URLs, @mentions, #hashtags, emoji, CJK: the mix of
generate_posts.py) and stay under every platform's limit (Bluesky's 300 graphemes being the
smallest here). The output is deterministic for a given N, TIME and seed. Standard library only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_posts import SLUG_WORDS, Gen, conservative_length  # noqa: E402

CONFIG = """\
# octopost configuration (generated for the sync benchmark)
content: content
ledger: ledger
timezone: UTC
git:
  branch: main
  push: false
accounts:
  telegram: {{ chat_id: "@bench" }}
"""

# Well under the smallest limit among the platforms (Bluesky: 300 graphemes), counted conservatively.
BUDGET = 240


def parse_now(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("dir")
    ap.add_argument("--now", required=True, help="the OCTOPOST_NOW the benchmark runs sync with")
    ap.add_argument("--platforms", default="mastodon,bluesky,telegram")
    ap.add_argument("--seed", type=int, default=20260410)
    args = ap.parse_args()

    now = parse_now(args.now)
    platforms = [p for p in args.platforms.split(",") if p]
    root = args.dir
    os.makedirs(root, exist_ok=True)
    if os.listdir(root):
        print(f"error: {root} is not empty", file=sys.stderr)
        return 2
    with open(os.path.join(root, "octopost.yaml"), "w", encoding="utf-8") as f:
        f.write(CONFIG.format())

    g = Gen(args.seed)
    r = g.r
    longest = 0
    for n in range(args.n):
        # Spread over the hour before `now`, oldest first, whole seconds.
        at = now - dt.timedelta(seconds=3600 - (3540 * n) // max(1, args.n))
        slug = "-".join(r.sample(SLUG_WORDS, 2)) + f"-{n}"
        path = f"content/{at:%Y/%m}/{slug}.md"
        body = g.text(BUDGET, n, platforms)
        assert conservative_length(body) <= BUDGET, body
        longest = max(longest, conservative_length(body))
        fm = ["platforms: [" + ", ".join(platforms) + "]", f"scheduled_for: {at:%Y-%m-%dT%H:%M:%SZ}"]
        if r.random() < 0.4:
            fm.append("labels: [" + ", ".join(r.sample(["launch", "release", "docs", "tips", "weekly"], 2)) + "]")
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write("---\n" + "\n".join(fm) + "\n---\n" + body + "\n")

    env = dict(os.environ, GIT_AUTHOR_NAME="octopost-bench", GIT_AUTHOR_EMAIL="bench@octopost.invalid",
               GIT_COMMITTER_NAME="octopost-bench", GIT_COMMITTER_EMAIL="bench@octopost.invalid",
               GIT_AUTHOR_DATE=f"{now - dt.timedelta(hours=2):%Y-%m-%dT%H:%M:%SZ}",
               GIT_COMMITTER_DATE=f"{now - dt.timedelta(hours=2):%Y-%m-%dT%H:%M:%SZ}")

    def git(*a: str) -> None:
        subprocess.run(["git", "-C", root, *a], check=True, env=env, stdout=subprocess.DEVNULL)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", f"{args.n} due posts for the sync benchmark")
    print(f"generated {args.n} posts x {len(platforms)} platforms ({', '.join(platforms)}) in {root}, "
          f"scheduled in the hour before {now:%Y-%m-%dT%H:%M:%SZ}, longest text {longest} (conservative count)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
