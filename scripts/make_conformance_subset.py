#!/usr/bin/env python3
"""Copy a representative subset of ../shared/conformance into Tests/OctopostKitTests/Fixtures/conformance-subset/
so the conformance tests also run where the shared folder is absent. Needs PyYAML."""
import json, os, shutil, yaml

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(root, "..", "shared", "conformance")
out = os.path.join(root, "Tests", "OctopostKitTests", "Fixtures", "conformance-subset")
os.makedirs(os.path.join(out, "twitter-text"), exist_ok=True)
os.makedirs(os.path.join(out, "mastodon"), exist_ok=True)

tt = os.path.join(shared, "twitter-text")
validate = yaml.safe_load(open(os.path.join(tt, "conformance_validate.yml"), encoding="utf-8"))["tests"]
tlds = yaml.safe_load(open(os.path.join(tt, "conformance_tlds.yml"), encoding="utf-8"))["tests"]
subset = {
    "WeightedTweetsWithDiscountedEmojiCounterTest": validate["WeightedTweetsWithDiscountedEmojiCounterTest"],
    "UnicodeDirectionalMarkerCounterTest": validate["UnicodeDirectionalMarkerCounterTest"],
    # 15 URL validation cases, valid and invalid, plus all protocol-less ones.
    "urls": validate["urls"][0:8] + validate["urls"][13:20],
    "urls_without_protocol": validate["urls_without_protocol"],
}
tld_subset = {"country": tlds["country"][0:4] + tlds["country"][-4:], "generic": tlds["generic"][0:4] + tlds["generic"][-4:]}
header = ("# Subset of twitter/twitter-text@30e2430 conformance/validate.yml and conformance/tlds.yml\n"
          "# (Apache-2.0, see LICENSE beside this file), re-serialised by scripts/make_conformance_subset.py.\n")
with open(os.path.join(out, "twitter-text", "validate-subset.yml"), "w", encoding="utf-8") as f:
    f.write(header)
    yaml.safe_dump({"tests": subset}, f, allow_unicode=False, sort_keys=False, width=1000)
with open(os.path.join(out, "twitter-text", "tlds-subset.yml"), "w", encoding="utf-8") as f:
    f.write(header)
    yaml.safe_dump({"tests": tld_subset}, f, allow_unicode=False, sort_keys=False, width=1000)
shutil.copy(os.path.join(tt, "LICENSE"), os.path.join(out, "twitter-text", "LICENSE"))
shutil.copy(os.path.join(shared, "mastodon", "status-length-cases.json"), os.path.join(out, "mastodon", "status-length-cases.json"))
print("subset written to", out)
