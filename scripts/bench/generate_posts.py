#!/usr/bin/env python3
"""Generate a content repository of N realistic octopost posts, for benchmarks.

    generate_posts.py N DIR [--seed S] [--no-commit]

DIR is created (it must not exist or must be empty): `git init`, an `octopost.yaml`
(timezone Europe/Berlin, a mastodon account with max_characters 500), a few small real
PNG/JPEG files under media/, and N posts under content/YYYY/MM/slug.md, then one commit.

The output is deterministic for a given N and seed. Posts mix 1-5 of the twelve platforms,
threads (~20%), URLs with and without protocol, @mentions, #hashtags, emoji (ZWJ sequences,
flags, skin tones, keycaps), CJK text, naive and offset times, labels, options,
content_warning and images with alt text. About 5% of the posts are deliberately over one
platform's limit (always in plain ASCII, so every counting rule agrees they are over).

Only the standard library is used (zlib/struct for the images).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import struct
import subprocess
import sys
import zlib

PLATFORMS = ["twitter", "bluesky", "mastodon", "linkedin", "threads", "instagram", "facebook",
             "tiktok", "youtube", "discord", "slack", "telegram"]
# Rough popularity, so the mix looks like a real account's.
PLATFORM_WEIGHTS = [10, 9, 9, 6, 6, 4, 4, 2, 2, 4, 3, 4]
THREAD_PLATFORMS = {"twitter", "bluesky", "mastodon", "threads", "discord", "slack", "telegram"}

# Smallest text limit of each platform (body), used to keep normal posts under every limit.
LIMITS = {"twitter": 280, "bluesky": 300, "mastodon": 500, "threads": 500, "linkedin": 3000,
          "instagram": 2200, "facebook": 63206, "tiktok": 2200, "youtube": 5000, "discord": 2000,
          "slack": 40000, "telegram": 4096}

OPTIONS = {
    "twitter": [("reply_settings", ["following", "mentionedUsers", "verified"])],
    "bluesky": [("langs", ["[en]", "[en, de]", "[ja, en]"])],
    "mastodon": [("visibility", ["public", "unlisted", "private"]), ("language", ["en", "de", "ja"]),
                 ("sensitive", ["true", "false"])],
    "linkedin": [("visibility", ["PUBLIC", "CONNECTIONS"])],
    "threads": [("reply_control", ["everyone", "accounts_you_follow"]), ("topic_tag", ["swift", "indiedev"])],
    "instagram": [("share_to_feed", ["true"])],
    "facebook": [("link", ["https://octopost.dev/blog", "https://example.com/launch"])],
    "tiktok": [("privacy_level", ["PUBLIC_TO_EVERYONE", "SELF_ONLY"]), ("disable_duet", ["true"]),
               ("video_cover_timestamp_ms", ["1500", "0"])],
    "youtube": [("privacy_status", ["public", "unlisted", "private"]), ("category_id", ['"28"', '"22"']),
                ("made_for_kids", ["false"])],
    "discord": [("thread_name", ["Release notes", "Weekly update"]), ("username", ["octobot"])],
    "slack": [("unfurl_links", ["false", "true"]), ("reply_broadcast", ["true"])],
    "telegram": [("disable_notification", ["true"]), ("disable_link_preview", ["true", "false"]),
                 ("message_thread_id", ["42", "7"])],
}

EN = [
    "We just shipped a new release of the rules engine.",
    "Here is what changed since last week.",
    "Thanks to everyone who sent feedback on the beta!",
    "The dashboard now loads twice as fast on large workspaces.",
    "Small fix: dates in the calendar view respect your time zone again.",
    "Writing up the migration notes took longer than the migration itself.",
    "If you run into trouble, reply here and we'll take a look.",
    "Our roadmap for the next quarter is public now.",
    "Tip: you can pin a rule to the top of the list with a long press.",
    "Live stream tomorrow: we'll build a plugin from scratch.",
    "Coffee, a quiet morning and zero failing tests.",
    "This one took three rewrites, but it was worth it.",
    "Docs got a full pass for typos and outdated screenshots.",
    "Accessibility: every button has a label now, and VoiceOver reads the charts.",
    "New in 2.4: export to CSV and JSON, import from the old format.",
]
DE = [
    "Neue Version ist da: schneller, kleiner, mit Dunkelmodus.",
    "Danke für die vielen Rückmeldungen zur Beta!",
    "Größere Änderungen kündigen wir immer eine Woche vorher an.",
]
CJK = [
    "新しいバージョンをリリースしました。",
    "フィードバックありがとうございます！",
    "今日はリリースノートを書いています。",
    "我们发布了新版本，欢迎试用。",
    "感谢大家的反馈。",
    "새 버전이 출시되었습니다.",
]
EMOJI = ["🎉", "🚀", "✨", "❤️", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🏳️‍⚧️", "🇩🇪", "🇯🇵", "🇺🇦",
         "1️⃣", "☕", "🙌🏾", "🧑‍🚀", "⭐", "✅", "🔥", "😂"]
URLS_PROTO = ["https://octopost.dev/blog/release-{n}", "https://example.com/changelog#v{n}",
              "http://example.org/docs/getting-started", "https://github.com/example/rules/pull/{n}",
              "https://www.example.net/p/{n}?utm_source=social&utm_medium=post"]
URLS_BARE = ["example.com/pricing", "octopost.dev", "docs.example.org/guide", "example.net/r/{n}"]
MENTIONS = ["@alice", "@bob_dev", "@octopost", "@carol.example.com", "@dan@mastodon.social",
            "@eve@hachyderm.io"]
HASHTAGS = ["#swift", "#indiedev", "#release", "#macOS", "#opensource", "#buildinpublic", "#a11y",
            "#リリース", "#devlog"]
LABELS = ["launch", "q2", "q3", "release", "blog", "community", "hiring", "docs", "event", "tips"]
SLUG_WORDS = ["launch", "release", "notes", "tips", "update", "roadmap", "beta", "fix", "stream",
              "docs", "hiring", "event", "weekly", "thanks", "preview", "export", "import", "dark-mode"]
ALT = ["Screenshot of the new dashboard", "A chart of load times before and after",
       "The team at the booth, waving", "Dark mode in the settings window",
       "Calendar view with three scheduled posts", "写真：新しいアイコン"]


# --- media -------------------------------------------------------------------------------------

def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real RGB PNG, one colour with a diagonal stripe."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows += bytes((255, 255, 255)) if x == y else bytes(rgb)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


def jpeg_bytes(width: int, height: int) -> bytes:
    """A real baseline grayscale JPEG (uniform mid-grey): every 8x8 block has DC difference 0 and EOB.

    Both Huffman tables hold one 1-bit code ('0'): DC category 0 and AC end-of-block, so each block
    is the two bits '00'."""
    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">HH", marker, len(payload) + 2) + payload
    app0 = segment(0xFFE0, b"JFIF\x00" + struct.pack(">BBBHHBB", 1, 1, 0, 1, 1, 0, 0))
    dqt = segment(0xFFDB, b"\x00" + bytes([1] * 64))
    sof = segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 1) + bytes((1, 0x11, 0)))
    counts = bytes([1] + [0] * 15)
    dht = segment(0xFFC4, b"\x00" + counts + b"\x00" + b"\x10" + counts + b"\x00")
    sos = segment(0xFFDA, bytes((1, 1, 0x00, 0, 63, 0)))
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)
    data = bytearray()
    for i in range(0, len(bits), 8):
        b = int(bits[i:i + 8], 2)
        data.append(b)
        if b == 0xFF:
            data.append(0)  # byte stuffing
    return b"\xFF\xD8" + app0 + dqt + sof + dht + sos + bytes(data) + b"\xFF\xD9"


MEDIA_FILES = {
    "media/launch.png": lambda: png_bytes(64, 48, (30, 120, 200)),
    "media/chart.png": lambda: png_bytes(32, 32, (200, 60, 40)),
    "media/team.jpg": lambda: jpeg_bytes(64, 48),
    "media/dark-mode.jpg": lambda: jpeg_bytes(32, 24),
    "media/icon.jpg": lambda: jpeg_bytes(16, 16),
}
JPEGS = [p for p in MEDIA_FILES if p.endswith(".jpg")]
ALL_IMAGES = list(MEDIA_FILES)

CONFIG = """\
# octopost configuration (generated for benchmarks)
content: content
ledger: ledger
timezone: Europe/Berlin
git:
  branch: main
  push: false
accounts:
  mastodon: { instance: https://mastodon.social, max_characters: 500 }
  bluesky: { service: https://bsky.social }
  telegram: { chat_id: "@octopost_news" }
"""


# --- text --------------------------------------------------------------------------------------

def conservative_length(text: str) -> int:
    """An upper bound of every platform's count: UTF-8 bytes, plus padding for short URLs (X and
    Mastodon count any URL as 23)."""
    n = len(text.encode("utf-8"))
    for word in text.split():
        if "." in word and ("/" in word or word.count(".") >= 1) and len(word) < 23:
            n += 23 - len(word)
    return n


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def url(self, n: int) -> str:
        r = self.r
        pool = URLS_PROTO if r.random() < 0.65 else URLS_BARE
        return r.choice(pool).format(n=n)

    def sentence(self) -> str:
        r = self.r
        x = r.random()
        if x < 0.70:
            return r.choice(EN)
        if x < 0.82:
            return r.choice(DE)
        return r.choice(CJK)

    def text(self, budget: int, n: int, platforms: list[str]) -> str:
        """A realistic text whose conservative length stays within `budget`."""
        r = self.r
        out = ""
        target = r.randint(min(60, budget), budget)
        urls = 0
        while True:
            x = r.random()
            if x < 0.55:
                piece = self.sentence()
            elif x < 0.68 and urls < 2:
                piece = self.url(n)
                urls += 1
            elif x < 0.78:
                piece = r.choice(MENTIONS)
            elif x < 0.88:
                piece = " ".join(r.sample(HASHTAGS, r.randint(1, 3)))
            else:
                piece = "".join(r.choice(EMOJI) for _ in range(r.randint(1, 3)))
            sep = ("\n\n" if r.random() < 0.15 else " ") if out else ""
            candidate = out + sep + piece
            if conservative_length(candidate) > target:
                break
            out = candidate
        if not out:
            out = r.choice(EN)[: max(10, budget // 2)]
        return out.strip()

    def long_ascii(self, length: int) -> str:
        words = []
        n = 0
        while n < length:
            w = self.r.choice(EN)
            words.append(w)
            n += len(w) + 1
        return " ".join(words)


def yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def block(s: str, indent: str) -> list[str]:
    return [indent + line if line else "" for line in s.split("\n")]


def make_post(g: Gen, n: int, over: bool) -> tuple[str, str]:
    """Returns (repo-relative path, file text) of post number n."""
    r = g.r
    year = r.choice([2025, 2026, 2026, 2027])
    month = r.randint(1, 12)
    slug = "-".join(r.sample(SLUG_WORDS, 2)) + f"-{n}"
    path = f"content/{year}/{month:02d}/{slug}.md"

    k = r.choices([1, 2, 3, 4, 5], weights=[15, 25, 30, 18, 12])[0]
    platforms: list[str] = []
    while len(platforms) < k:
        p = r.choices(PLATFORMS, weights=PLATFORM_WEIGHTS)[0]
        if p not in platforms:
            platforms.append(p)
    needs_video = "youtube" in platforms or "tiktok" in platforms
    needs_media = "instagram" in platforms
    fm: list[str] = []

    if r.random() < 0.35:
        fm.append(f"# {r.choice(['campaign: spring launch', 'reviewed by @alice', 'TODO: check the link', 'cross-post'])}")
    if r.random() < 0.05:
        fm.append(f"id: posts/{year}/{slug}")
    if r.random() < 0.9:
        fm.append("platforms:")
        fm += [f"  - {p}" for p in platforms]
    else:
        fm.append("platforms: [" + ", ".join(platforms) + "]")

    x = r.random()
    day, hour, minute = r.randint(1, 28), r.randint(7, 21), r.choice([0, 0, 15, 30, 45])
    if x < 0.50:
        fm.append(f"scheduled_for: {year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z")
    elif x < 0.70:
        fm.append(f"scheduled_for: {year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00+02:00")
    elif x < 0.88:
        fm.append(f"scheduled_for: {year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00   # Berlin time")
    elif x < 0.94:
        fm.append("draft: true")
    if r.random() < 0.06 and "draft: true" not in fm:
        fm.append("draft: false")

    has_media = False
    has_images = False
    if needs_video or (r.random() < 0.08):
        fm.append("media:")
        fm.append("  video:")
        fm.append(f"    url: https://cdn.example.com/v/{n}.mp4")
        if r.random() < 0.5:
            fm.append(f"    thumbnail_url: https://cdn.example.com/v/{n}.jpg")
        has_media = True
    elif needs_media or r.random() < 0.55:
        pool = JPEGS if needs_media else ALL_IMAGES
        count = r.choices([1, 2, 3, 4], weights=[35, 30, 20, 15])[0]
        fm.append("media:")
        fm.append("  images:")
        for path_ in r.sample(pool, min(count, len(pool))):
            fm.append(f"    - url: {path_}")
            if r.random() < 0.9:
                fm.append(f"      alt_text: {yaml_str(r.choice(ALT))}")
        has_media = has_images = True

    title_needed = "youtube" in platforms or ("tiktok" in platforms and has_images)
    if title_needed or ("discord" in platforms and r.random() < 0.5) or r.random() < 0.1:
        title = r.choice(["Release 2.4: export and import", "How we made the dashboard 2x faster",
                          "Weekly update", "Live: building a plugin", "新機能のお知らせ"])
        fm.append(f"title: {yaml_str(title)}")

    cw = None
    if r.random() < 0.1:
        cw = r.choice(["spoilers for the keynote", "long thread", "eye contact", "politics"])
        fm.append(f"content_warning: {cw}")

    x = r.random()
    if x < 0.45:
        fm.append("labels: [" + ", ".join(r.sample(LABELS, r.randint(1, 3))) + "]")
    elif x < 0.8:
        fm.append("labels:")
        fm += [f"  - {l}" for l in r.sample(LABELS, r.randint(1, 4))]

    # Budget: the smallest limit among the post's platforms, with margin and the content warning.
    budget = min(LIMITS[p] for p in platforms)
    if "telegram" in platforms and has_media:
        budget = min(budget, 1024)
    budget = min(budget, 700) - 20 - (len(cw) if cw else 0)

    segments: list[str] = []
    if r.random() < 0.20:
        for _ in range(r.randint(1, 5)):
            segments.append(g.text(budget, n, platforms))

    if r.random() < 0.6:
        candidates = [p for p in platforms if p in OPTIONS]
        chosen = r.sample(candidates, min(len(candidates), r.randint(1, 3)))
        if chosen:
            fm.append("options:")
            for p in chosen:
                fm.append(f"  {p}:")
                for key, values in r.sample(OPTIONS[p], min(len(OPTIONS[p]), r.randint(1, 3))):
                    fm.append(f"    {key}: {r.choice(values)}")

    body = g.text(budget, n, platforms)

    if over:
        # Over one platform's limit, in plain ASCII so every counting rule agrees.
        victim = r.choice(platforms)
        if victim == "youtube":
            fm = [l for l in fm if not l.startswith("title:")]
            fm.append(f"title: {yaml_str(g.long_ascii(130))}")
        elif victim in ("facebook", "slack"):
            body = g.long_ascii(LIMITS[victim] + 200)
        elif victim == "telegram" and has_media:
            body = g.long_ascii(1100)
        else:
            body = g.long_ascii(LIMITS[victim] + 40)

    if segments:
        fm.append("segments:")
        for s in segments:
            if r.random() < 0.6:
                fm.append("  - content: |")
                fm += block(s, "      ")
            else:
                fm.append(f"  - content: {yaml_str(s)}")
            if r.random() < 0.15 and not needs_video:
                fm.append("    media_urls:")
                img = r.choice(JPEGS)
                if r.random() < 0.5:
                    fm.append(f"      - {img}")
                else:
                    fm.append(f"      - url: {img}")
                    fm.append(f"        alt_text: {yaml_str(r.choice(ALT))}")

    text = "---\n" + "\n".join(fm) + "\n---\n" + body + "\n"
    return path, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, default=20260410)
    ap.add_argument("--no-commit", action="store_true")
    args = ap.parse_args()

    root = args.dir
    os.makedirs(root, exist_ok=True)
    if os.listdir(root):
        print(f"error: {root} is not empty", file=sys.stderr)
        return 2
    with open(os.path.join(root, "octopost.yaml"), "w", encoding="utf-8") as f:
        f.write(CONFIG)
    os.makedirs(os.path.join(root, "media"))
    for rel, make in MEDIA_FILES.items():
        with open(os.path.join(root, rel), "wb") as f:
            f.write(make())

    g = Gen(args.seed)
    over_rng = random.Random(args.seed + 1)
    seen: set[str] = set()
    over_count = 0
    fm_lines = 0
    for n in range(args.n):
        over = over_rng.random() < 0.05
        path, text = make_post(g, n, over)
        assert path not in seen
        seen.add(path)
        over_count += over
        fm_lines += text.split("\n---\n", 1)[0].count("\n")
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    if not args.no_commit:
        env = dict(os.environ, GIT_AUTHOR_NAME="octopost-bench", GIT_AUTHOR_EMAIL="bench@octopost.invalid",
                   GIT_COMMITTER_NAME="octopost-bench", GIT_COMMITTER_EMAIL="bench@octopost.invalid",
                   GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
        def git(*a: str) -> None:
            subprocess.run(["git", "-C", root, *a], check=True, env=env, stdout=subprocess.DEVNULL)
        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-q", "-m", f"{args.n} generated posts")
    print(f"generated {args.n} posts in {root} ({over_count} over a limit, "
          f"{fm_lines / max(1, args.n):.1f} front-matter lines on average)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
