#!/usr/bin/env python3
"""A straightforward Python linter of octopost's post rules, as a speed baseline for `octopost lint`.

    baseline_lint.py DIR [--jobs N] [--verbose]

What it checks (SPEC §2, PLATFORMS.md §0-§12), per post file under DIR/content/**.md:
- front matter via python-frontmatter with PyYAML's C loader (CSafeLoader); the body trimmed of
  blank lines at both ends;
- required `platforms` (non-empty list, known names, `NAME:ACCOUNT` form, no duplicates), unknown
  keys (with a did-you-mean), field types, `scheduled_for` (an offset, or the config's timezone),
  media (at most 4 images, url required, images xor video), segments (at most 24, content at most
  5000 characters, media_urls at most 4), per-platform `options` (known keys and values), unused
  options, duplicate ids across files;
- lengths per platform, for the body and, where the platform has threads, every segment:
  X: twitter-text-parser 3.0.0 weighted length (280, 25,000 with long_post);
  Bluesky: `regex` \\X graphemes (300) and UTF-8 bytes (3000);
  Mastodon: graphemes of content_warning + text, URLs (with protocol) as 23, `@user@host` as `@user`;
  Threads: graphemes, an emoji grapheme counting its UTF-8 bytes (500), at most 5 unique links;
  LinkedIn/Facebook/Instagram/TikTok: UTF-16 code units (Instagram: <= 30 hashtags, 20 mentions);
  YouTube: description 5000 UTF-8 bytes, title 100 characters, no < or >; Discord/Slack/Telegram:
  Unicode scalars (Telegram caption 1024 with media);
- media files: exist in the repository, have a known image/video signature, alt text present,
  platforms that need media (Instagram, TikTok: any; YouTube: a video) get it.

Files are linted in a multiprocessing.Pool with one process per core. Prints the number of files
and of findings (errors, warnings); exit 1 when there are errors, like octopost.
"""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import sys
from multiprocessing import Pool
from zoneinfo import ZoneInfo

import frontmatter
import frontmatter.default_handlers as fm_handlers
import regex
import yaml
from twitter_text import extract_urls_with_indices, parse_tweet

assert yaml.__with_libyaml__ and fm_handlers.SafeLoader is yaml.CSafeLoader, "PyYAML without libyaml"
HANDLER = fm_handlers.YAMLHandler()

PLATFORMS = ["twitter", "bluesky", "mastodon", "linkedin", "threads", "instagram", "facebook", "tiktok",
             "youtube", "discord", "slack", "telegram"]
THREADS_OK = {"twitter", "bluesky", "mastodon", "threads", "discord", "slack", "telegram"}
FIELDS = ["id", "platforms", "scheduled_for", "draft", "media", "segments", "labels", "title",
          "content_warning", "options"]
OPTIONS = {
    "twitter": {"reply_settings": ["following", "mentionedUsers", "subscribers", "verified"], "long_post": bool},
    "bluesky": {"langs": list},
    "mastodon": {"visibility": ["public", "unlisted", "private", "direct"], "language": str, "sensitive": bool},
    "linkedin": {"visibility": ["PUBLIC", "CONNECTIONS", "LOGGED_IN"]},
    "threads": {"reply_control": ["everyone", "accounts_you_follow", "mentioned_only"], "topic_tag": str},
    "instagram": {"share_to_feed": bool, "location_id": str},
    "facebook": {"link": str},
    "tiktok": {"privacy_level": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"],
               "disable_comment": bool, "disable_duet": bool, "disable_stitch": bool,
               "video_cover_timestamp_ms": int},
    "youtube": {"privacy_status": ["public", "unlisted", "private"], "category_id": str, "tags": list,
                "made_for_kids": bool},
    "discord": {"thread_name": str, "username": str},
    "slack": {"unfurl_links": bool, "reply_broadcast": bool},
    "telegram": {"disable_notification": bool, "protect_content": bool, "disable_link_preview": bool,
                 "message_thread_id": int},
}
# Media: (max images, image kinds, video kinds, requirement)
WEB = {"jpeg", "png", "gif", "webp"}
MEDIA = {
    "twitter": (4, WEB, {"mp4", "mov"}, None), "bluesky": (4, WEB | {"heic", "avif"}, {"mp4"}, None),
    "mastodon": (4, WEB | {"heic", "avif"}, {"mp4", "mov", "webm"}, None),
    "threads": (4, {"jpeg", "png"}, {"mp4", "mov"}, None), "linkedin": (4, {"jpeg", "png", "gif"}, {"mp4"}, None),
    "instagram": (4, {"jpeg"}, {"mp4", "mov"}, "any"), "facebook": (4, WEB, {"mp4", "mov"}, None),
    "tiktok": (4, {"jpeg", "webp"}, {"mp4", "mov", "webm"}, "any"), "youtube": (0, set(), {"mp4", "mov", "webm"}, "video"),
    "discord": (4, WEB, {"mp4", "mov", "webm"}, None), "slack": (4, WEB, {"mp4", "mov", "webm"}, None),
    "telegram": (4, {"jpeg", "png", "webp"}, {"mp4", "mov"}, None),
}
EXT = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "webp": "webp", "heic": "heic", "heif": "heic",
       "avif": "avif", "mp4": "mp4", "m4v": "mp4", "mov": "mov", "webm": "webm"}
VIDEO = {"mp4", "mov", "webm"}

GRAPHEME = regex.compile(r"\X")
EMOJI_CLUSTER = regex.compile(r"\p{Extended_Pictographic}|[\U0001F1E6-\U0001F1FF]|\u20E3|\uFE0F")
MASTODON_MENTION = regex.compile(r"(?<![\w@])@(\w+)@[\w.-]+\.\w+", regex.UNICODE)
HASHTAG = regex.compile(r"(?<![\w#])#\w")
MENTION = regex.compile(r"(?<![\w@])@\w")
ACCOUNT = regex.compile(r"[a-z0-9_]+")

# Per-process state, set by init().
ROOT = ""
TZ: ZoneInfo | None = None
MASTODON_LIMITS: dict[str, int] = {}
MEDIA_CACHE: dict[str, str | None] = {}


def init(root: str, tz: str | None, mastodon_limits: dict[str, int]) -> None:
    global ROOT, TZ, MASTODON_LIMITS
    ROOT = root
    TZ = ZoneInfo(tz) if tz else None
    MASTODON_LIMITS = mastodon_limits


def hint(word: str, choices: list[str]) -> str:
    m = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{m[0]}'?)" if m else ""


# --- counting -----------------------------------------------------------------------------------

def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def mastodon_length(text: str, cw: str) -> int:
    urls = extract_urls_with_indices(text, extract_urls_without_protocol=False)
    out, last = [], 0
    for u in urls:
        a, b = u["indices"]
        out.append(text[last:a])
        out.append("x" * 23)
        last = b
    out.append(text[last:])
    countable = MASTODON_MENTION.sub(r"@\1", "".join(out))
    return len(graphemes(cw)) + len(graphemes(countable))


def threads_length(text: str) -> int:
    n = 0
    for g in graphemes(text):
        n += len(g.encode("utf-8")) if EMOJI_CLUSTER.search(g) else 1
    return n


def measures(platform: str, text: str, has_media: bool, cw: str, long_post: bool) -> list[tuple[str, int, int, int]]:
    """(unit, value, limit, minimum) for one text on one platform."""
    m0 = 0 if has_media else 1
    if platform == "twitter":
        return [("characters", parse_tweet(text).weightedLength, 25_000 if long_post else 280, m0)]
    if platform == "bluesky":
        return [("graphemes", len(graphemes(text)), 300, m0), ("bytes", len(text.encode("utf-8")), 3000, 0)]
    if platform == "mastodon":
        return [("characters", mastodon_length(text, cw), MASTODON_LIMITS.get("mastodon", 500), 0)]
    if platform == "threads":
        links = {u["url"] for u in extract_urls_with_indices(text)}
        return [("characters", threads_length(text), 500, 0), ("links", len(links), 5, 0)]
    if platform == "linkedin":
        return [("characters", utf16(text), 3000, m0)]
    if platform == "facebook":
        return [("characters", utf16(text), 63_206, m0)]
    if platform == "instagram":
        return [("characters", utf16(text), 2200, 0), ("hashtags", len(HASHTAG.findall(text)), 30, 0),
                ("mentions", len(MENTION.findall(text)), 20, 0)]
    if platform == "tiktok":
        return [("characters", utf16(text), 2200, 0)]
    if platform == "youtube":
        return [("bytes", len(text.encode("utf-8")), 5000, 0)]
    if platform == "discord":
        return [("characters", len(text), 2000, m0)]
    if platform == "slack":
        return [("characters", len(text), 40_000, m0)]
    if platform == "telegram":
        return [("characters", len(text), 1024, 0)] if has_media else [("characters", len(text), 4096, 1)]
    raise ValueError(platform)


# --- media --------------------------------------------------------------------------------------

def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    return None


def media_kind(url: str, problems: list[str]) -> str | None:
    """The kind of a media reference; appends a problem for a missing or unknown local file."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    ext = EXT.get(path.rsplit(".", 1)[-1].lower()) if "." in path.rsplit("/", 1)[-1] else None
    if url.startswith("https://"):
        return ext
    if "://" in url:
        problems.append(f"media URL '{url}' must use https://")
        return None
    if url.startswith(("/", "~")) or ".." in url.split("/"):
        problems.append(f"media path '{url}' must be relative to the repository root")
        return None
    if url not in MEDIA_CACHE:
        full = os.path.join(ROOT, url)
        if not os.path.isfile(full):
            MEDIA_CACHE[url] = None
        else:
            with open(full, "rb") as f:
                MEDIA_CACHE[url] = sniff(f.read(32)) or "?"
    kind = MEDIA_CACHE[url]
    if kind is None:
        problems.append(f"media file '{url}' does not exist")
        return None
    if kind == "?":
        problems.append(f"media file '{url}' is not an image or video")
        return None
    if ext and ext != kind and not (ext in VIDEO and kind in VIDEO):
        problems.append(f"media file '{url}' is named .{ext} but holds {kind} data")
    return kind


# --- one file -----------------------------------------------------------------------------------

def lint_file(rel: str) -> tuple[str, str | None, list[tuple[str, str, str]]]:
    """Returns (path, post id or None, [(severity, rule, message)])."""
    out: list[tuple[str, str, str]] = []

    def err(rule: str, msg: str) -> None:
        out.append(("error", rule, msg))

    def warn(rule: str, msg: str) -> None:
        out.append(("warning", rule, msg))

    try:
        with open(os.path.join(ROOT, rel), encoding="utf-8-sig") as f:
            text = f.read().replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as e:
        return rel, None, [("error", "file", str(e))]
    if not text.startswith("---"):
        return rel, None, [("error", "front-matter", "no front matter")]
    try:
        post = frontmatter.loads(text, handler=HANDLER)
    except yaml.YAMLError as e:
        return rel, None, [("error", "yaml", f"the front matter is not valid YAML: {e}")]
    meta = post.metadata
    body = post.content.strip("\n")

    pid = rel[len("content/"):-3] if rel.startswith("content/") and rel.endswith(".md") else rel
    for key in meta:
        if key not in FIELDS:
            err("unknown-key", f"unknown field '{key}'{hint(str(key), FIELDS)}")
    if "id" in meta:
        if isinstance(meta["id"], str) and meta["id"]:
            pid = meta["id"]
        else:
            err("id", "id must be a non-empty string")

    targets: list[tuple[str, str]] = []  # (platform, key)
    plats = meta.get("platforms")
    if plats is None:
        err("required", "'platforms' is required")
    elif not isinstance(plats, list):
        err("type", "'platforms' must be a non-empty list")
    elif not plats:
        err("required", "'platforms' is empty")
    else:
        seen = set()
        for p in plats:
            if not isinstance(p, str):
                err("type", "each platform must be a name")
                continue
            name, _, account = p.partition(":")
            if name not in PLATFORMS:
                err("platform", f"unknown platform '{name}'{hint(name, PLATFORMS)}")
            elif ":" in p and not ACCOUNT.fullmatch(account):
                err("platform", f"account '{account}' in '{p}' may only use a-z, 0-9 and _")
            elif p in seen:
                err("duplicate-platform", f"'{p}' is listed twice")
            else:
                seen.add(p)
                targets.append((name, p))

    sched = meta.get("scheduled_for")
    if sched is not None:
        if isinstance(sched, str):
            try:
                sched = dt.datetime.fromisoformat(sched.replace("Z", "+00:00"))
            except ValueError:
                err("scheduled-for", f"'{sched}' is not an RFC 3339 time")
                sched = None
        if isinstance(sched, dt.datetime) and sched.tzinfo is None:
            if TZ is None:
                err("timezone", "scheduled_for has no offset and octopost.yaml names no timezone")
            else:
                sched.replace(tzinfo=TZ).astimezone(dt.timezone.utc)
        elif isinstance(sched, dt.date) and not isinstance(sched, dt.datetime):
            err("scheduled-for", "scheduled_for needs a time of day")
    if "draft" in meta and not isinstance(meta["draft"], bool):
        err("type", "'draft' must be true or false")
    for field in ("title", "content_warning"):
        if field in meta and meta[field] is not None and not isinstance(meta[field], str):
            err("type", f"'{field}' must be text")
    labels = meta.get("labels")
    if labels is not None and (not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)):
        err("type", "'labels' must be a list of text")
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    cw = meta.get("content_warning") if isinstance(meta.get("content_warning"), str) else ""

    # Media.
    problems: list[str] = []
    images: list[tuple[str, str | None, str | None]] = []  # (url, kind, alt)
    video_kind: str | None = None
    media = meta.get("media") or {}
    if not isinstance(media, dict):
        err("type", "'media' must be a map")
        media = {}
    for key in media:
        if key not in ("images", "video"):
            err("unknown-key", f"unknown field '{key}' in media{hint(str(key), ['images', 'video'])}")
    imgs = media.get("images") or []
    if len(imgs) > 4:
        err("media-count", f"'media.images' has {len(imgs)} images; at most 4")
    for item in imgs:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            err("required", "each image needs a 'url'")
            continue
        images.append((item["url"], media_kind(item["url"], problems), item.get("alt_text")))
    video = media.get("video")
    if video is not None:
        if not isinstance(video, dict) or not isinstance(video.get("url"), str):
            err("required", "'media.video' needs a 'url'")
        else:
            video_kind = media_kind(video["url"], problems) or "mp4"
            if video_kind not in VIDEO:
                err("media-type", "media.video is not a video")
            if isinstance(video.get("thumbnail_url"), str):
                media_kind(video["thumbnail_url"], problems)
    if images and video is not None:
        err("media-mix", "'media' has both images and a video")
    body_has_media = bool(images) or video is not None

    # Segments.
    parts: list[tuple[str, bool, list[tuple[str, str | None, str | None]]]] = [(body, body_has_media, images)]
    segs = meta.get("segments") or []
    if not isinstance(segs, list):
        err("type", "'segments' must be a list")
        segs = []
    if len(segs) > 24:
        err("segment-count", f"'segments' has {len(segs)} items; at most 24")
    for seg in segs[:25]:
        if not isinstance(seg, dict):
            err("type", "each segment must be a map")
            continue
        for key in seg:
            if key not in ("content", "media_urls"):
                err("unknown-key", f"unknown field '{key}' in a segment")
        content = seg.get("content")
        content = content.strip("\n") if isinstance(content, str) else ""
        if len(graphemes(content)) > 5000:
            err("segment-length", "segment has more than 5000 characters")
        seg_media = []
        mu = seg.get("media_urls") or []
        if len(mu) > 4:
            err("media-count", "'media_urls' has more than 4 items")
        for m in mu:
            url, alt = (m, None) if isinstance(m, str) else (m.get("url"), m.get("alt_text")) if isinstance(m, dict) else (None, None)
            if isinstance(url, str):
                seg_media.append((url, media_kind(url, problems), alt))
        parts.append((content, bool(seg_media), seg_media))
    for p in problems:
        err("media", p)
    for part in parts:
        for url, kind, alt in part[2]:
            if kind and kind not in VIDEO and not alt:
                warn("alt-text", f"image '{url}' has no alt_text")
    if not body and not body_has_media and not segs:
        err("empty", "the post has no text and no media")

    # Options.
    opts = meta.get("options") or {}
    long_post = False
    if not isinstance(opts, dict):
        err("type", "'options' must be a map keyed by platform")
        opts = {}
    used = {t[0] for t in targets}
    for pname, values in opts.items():
        if pname not in OPTIONS:
            err("unknown-option", f"options for unknown platform '{pname}'{hint(str(pname), PLATFORMS)}")
            continue
        if pname not in used:
            warn("unused-option", f"options for {pname} are set but {pname} is not in 'platforms'")
        if not isinstance(values, dict):
            err("type", f"'options.{pname}' must be a map")
            continue
        for key, value in values.items():
            spec = OPTIONS[pname].get(key)
            if spec is None:
                err("unknown-option", f"{pname} has no option '{key}'{hint(str(key), list(OPTIONS[pname]))}")
            elif isinstance(spec, list):
                if value not in spec:
                    err("option-value", f"'options.{pname}.{key}' is '{value}'; one of {', '.join(spec)}")
            elif spec is bool and not isinstance(value, bool):
                err("type", f"'options.{pname}.{key}' must be true or false")
            elif spec is int and (isinstance(value, bool) or not isinstance(value, int)):
                err("type", f"'options.{pname}.{key}' must be a whole number")
            elif spec is str and not isinstance(value, str):
                err("type", f"'options.{pname}.{key}' must be text")
            elif spec is list and not isinstance(value, list):
                err("type", f"'options.{pname}.{key}' must be a list")
        if pname == "twitter" and values.get("long_post") is True:
            long_post = True

    # Per platform: lengths, titles, media requirements.
    for platform, key in targets:
        max_images, image_kinds, video_kinds, requirement = MEDIA[platform]
        sent = parts if platform in THREADS_OK else parts[:1]
        for index, (text, has_media, _) in enumerate(sent):
            if platform in ("youtube", "tiktok"):
                has_media = True
            ms = measures(platform, text, has_media if index else body_has_media or has_media,
                          cw if platform == "mastodon" else "", long_post)
            if platform == "tiktok" and index == 0 and images:
                ms[0] = ("characters", ms[0][1], 4000, 0)
            where = f" in segment {index}" if index else ""
            for unit, value, limit, minimum in ms:
                if value > limit or value < minimum:
                    err("length", f"{key}: {value}/{limit} {unit}{where}")
            if platform == "youtube" and ("<" in text or ">" in text):
                err("content", f"{key}: YouTube does not allow '<' or '>'{where}")
            if platform == "instagram":
                tags = len(HASHTAG.findall(text))
                if tags > 5:
                    warn("advice", f"{key}: {tags} hashtags: Instagram's app now keeps at most 5")
        if platform not in THREADS_OK and segs:
            warn("thread", f"{key}: no threads: only the body is posted")
        if platform == "youtube":
            if title is None:
                err("title", f"{key}: YouTube needs a 'title'")
            elif len(title) > 100 or not title:
                err("title", f"{key}: title is {len(title)}/100 characters")
            elif "<" in title or ">" in title:
                err("content", f"{key}: YouTube does not allow '<' or '>' in a title")
        if platform == "tiktok" and images and title is not None and utf16(title) > 90:
            err("title", f"{key}: title is {utf16(title)}/90 characters")
        if requirement == "any" and not body_has_media:
            err("media-required", f"{key}: needs an image or a video")
        if requirement == "video" and video is None:
            err("media-required", f"{key}: needs a video")
        for part in sent:
            kinds = [k for _, k, _ in part[2] if k]
            imgs_ = [k for k in kinds if k not in VIDEO]
            if imgs_ and max_images == 0:
                err("media-type", f"{key}: does not take images")
            elif len(imgs_) > max_images:
                err("media-count", f"{key}: {len(imgs_)} images; at most {max_images}")
            for k in kinds:
                if k not in (video_kinds if k in VIDEO else image_kinds):
                    err("media-type", f"{key}: does not accept {k}")
        if video_kind and video_kind not in video_kinds:
            err("media-type", f"{key}: does not take {video_kind} videos")
    return rel, pid, out


def main() -> int:
    ap = argparse.ArgumentParser(description="Python baseline of `octopost lint`")
    ap.add_argument("dir")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    root = os.path.abspath(args.dir)

    with open(os.path.join(root, "octopost.yaml"), encoding="utf-8") as f:
        config = yaml.load(f, Loader=yaml.CSafeLoader) or {}
    content = config.get("content", "content")
    mastodon_limits = {k: v["max_characters"] for k, v in (config.get("accounts") or {}).items()
                       if k.split(":")[0] == "mastodon" and isinstance(v, dict) and "max_characters" in v}

    paths: list[str] = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, content)):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".md") and not name.startswith("."):
                paths.append(os.path.relpath(os.path.join(dirpath, name), root))
    paths.sort()

    with Pool(args.jobs, initializer=init, initargs=(root, config.get("timezone"), mastodon_limits)) as pool:
        results = pool.map(lint_file, paths, chunksize=max(1, len(paths) // (args.jobs * 8) or 1))

    findings: list[tuple[str, str, str, str]] = [(rel, *d) for rel, _, diags in results for d in diags]
    by_id: dict[str, list[str]] = {}
    for rel, pid, _ in results:
        if pid is not None:
            by_id.setdefault(pid, []).append(rel)
    for pid, rels in by_id.items():
        if len(rels) > 1:
            findings += [(r, "error", "duplicate-id", f"id '{pid}' is also used elsewhere") for r in rels]

    errors = sum(1 for f in findings if f[1] == "error")
    warnings = len(findings) - errors
    if args.verbose:
        for rel, sev, rule, msg in findings:
            print(f"{rel}: {sev}: {msg} [{rule}]")
    print(f"files: {len(paths)}, findings: {len(findings)} (errors: {errors}, warnings: {warnings})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
