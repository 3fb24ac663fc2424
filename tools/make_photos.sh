#!/usr/bin/env bash
# Rebuilds data/photos/ (the bundled sample photographs) and data/photos/ATTRIBUTION.md
# from Debian wallpaper packages.
#
#   tools/make_photos.sh
#
# Steps: apt-get download the wallpaper packages (pinned to the Debian 12 "bookworm" versions when
# the archive still serves them), dpkg -x them into a temporary directory, take the fixed list of
# photographs below (real photos only: no illustrations, gradients or abstract art), downscale each
# so its SHORTER side is 384 px (aspect kept, Lanczos), and save it as baseline JPEG quality 95 with
# 4:4:4 chroma (no subsampling), keeping the source's EXIF block and ICC profile byte for byte.
# Author and licence of each photo are read from the package's copyright file (and, for Plasma
# wallpapers, from the wallpaper's metadata.json) and written to ATTRIBUTION.md.
#
# Needs: Debian/Ubuntu with apt, and Pillow for the system Python (python3-pil, installed if absent;
# the script calls /usr/bin/python3 explicitly, as another python3 may come first on PATH).
# Output is deterministic for a given set of package versions and Pillow version.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT_DIR="data/photos"
PY=/usr/bin/python3
SHORT_SIDE=384
QUALITY=95

# Packages, pinned to the versions the committed photos came from.
PACKAGES=(
  "lomiri-wallpapers-16.04=20.04.0-2"
  "lomiri-wallpapers-20.04=20.04.0-2"
  "mate-backgrounds=1.26.0-1"
  "plasma-workspace-wallpapers=4:5.27.5-2"
)

# The selection: output name <TAB> package <TAB> file inside the package. Sorted by output name.
SELECTION="$(cat <<'EOF'
lomiri-1604-dandelion-meadow.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg
lomiri-1604-dogs-at-window.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg
lomiri-1604-dragonfly-on-branch.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Dragonfly_by_Bolly.jpg
lomiri-1604-fig-in-red-bowl.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Picture_0B_by_freespace.jpg
lomiri-1604-forest-stream.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg
lomiri-1604-mountain-trail.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg
lomiri-1604-paint-brushes.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Picture_1A_by_freespace.jpg
lomiri-1604-wall-clock.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/greentock_by_Peter_Nerlich.jpg
lomiri-1604-wine-bottle-room.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg
lomiri-2004-nuthatch-on-tree.jpg	lomiri-wallpapers-20.04	usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg
mate-dune-grass-sea.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Dune.jpg
mate-green-leaf-veins.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Blinds.jpg
mate-storm-clouds-road.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Storm.jpg
mate-wood-surface.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Wood.jpg
plasma-colorful-cups.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg
plasma-evening-glow-rowing-boats.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg
plasma-fallen-maple-leaf.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg
plasma-foggy-pier.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg
plasma-forest-path.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/Path/contents/images/2560x1600.jpg
plasma-grey-facade-architecture.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/Grey/contents/images/2560x1600.jpg
plasma-kite-in-blue-sky.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/Kite/contents/images/2560x1600.jpg
plasma-lakeside-jetty.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg
plasma-misty-lake-dusk.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg
plasma-moss-close-up.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg
EOF
)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. Tools: apt indexes and Pillow for the system Python.
need_update=0
for spec in "${PACKAGES[@]}"; do
  apt-cache show "${spec%%=*}" >/dev/null 2>&1 || need_update=1
done
if [ "$need_update" -eq 1 ]; then
  as_root apt-get update
fi
if ! "$PY" -c 'import PIL' >/dev/null 2>&1; then
  as_root apt-get install -y python3-pil
fi

# 2. Download and extract the packages into a temporary directory.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/debs" "$WORK/root"
chmod 0755 "$WORK"
chmod 0777 "$WORK/debs"   # lets apt's download sandbox user write there
for spec in "${PACKAGES[@]}"; do
  pkg="${spec%%=*}"
  if ! (cd "$WORK/debs" && apt-get download "$spec"); then
    echo "warning: $spec not available; downloading the archive's current $pkg" >&2
    (cd "$WORK/debs" && apt-get download "$pkg")
  fi
done
: > "$WORK/versions.tsv"
for deb in "$WORK"/debs/*.deb; do
  dpkg -x "$deb" "$WORK/root"
  printf '%s\t%s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" >> "$WORK/versions.tsv"
done

# 3. Downscale, write the photos and the attribution file.
mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/*.jpg
printf '%s\n' "$SELECTION" | LC_ALL=C sort > "$WORK/selection.tsv"

"$PY" - "$WORK/root" "$WORK/versions.tsv" "$WORK/selection.tsv" "$OUT_DIR" "$SHORT_SIDE" "$QUALITY" <<'PY'
import fnmatch, json, os, re, sys
from PIL import Image
import PIL

root, versions_tsv, selection_tsv, out_dir, short_side, quality = sys.argv[1:7]
short_side, quality = int(short_side), int(quality)
versions = dict(line.rstrip("\n").split("\t") for line in open(versions_tsv, encoding="utf-8") if line.strip())

def dep5(pkg):
    """Paragraphs of a machine-readable debian/copyright file, as dicts of field -> text."""
    text = open(os.path.join(root, "usr/share/doc", pkg, "copyright"), encoding="utf-8").read()
    paras = []
    for block in re.split(r"\n\s*\n", text):
        fields, key = {}, None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, val = line.partition(":")
                key = key.strip(); fields[key] = val.strip()
        if "Files" in fields:
            paras.append(fields)
    return paras

def clean(s):
    s = re.sub(r"\s*<[^>]*>", "", s)          # drop e-mail addresses
    s = re.sub(r"\s*https?://\S+", "", s)     # and URLs
    s = s.replace("\u00b4", "")
    return "; ".join(p.strip() for p in s.splitlines() if p.strip())

def copyright_of(pkg, path):
    """Copyright and License of the last paragraph whose Files patterns match the file
    (DEP-5: the last match wins). Patterns are matched on the file's base name, since the
    packages install the images in a different folder from the upstream tree."""
    base, hit = os.path.basename(path), None
    for para in dep5(pkg):
        for pat in para["Files"].split():
            pbase = os.path.basename(pat)
            if (pat == "*" or fnmatch.fnmatchcase(path, "*/" + pat)
                    or (not any(c in pbase for c in "*?[") and pbase == base)):
                hit = para
    if hit is None:
        sys.exit(f"no copyright paragraph for {pkg}:{path}")
    return clean(hit.get("Copyright", "")), hit["License"].splitlines()[0].strip()

def plasma_meta(path):
    m = re.match(r"usr/share/wallpapers/([^/]+)/", path)
    if not m:
        return None
    meta = json.load(open(os.path.join(root, "usr/share/wallpapers", m.group(1), "metadata.json"), encoding="utf-8"))
    kp = meta["KPlugin"]
    return ", ".join(a["Name"] for a in kp.get("Authors", [])), kp.get("License", ""), kp.get("Name", m.group(1))

def exif_text(v):
    if v is None:
        return ""
    if isinstance(v, bytes):
        v = v.decode("latin-1")
    return v.split("\x00")[0].strip()

rows, all_licences = [], set()
for line in open(selection_tsv, encoding="utf-8"):
    if not line.strip():
        continue
    name, pkg, path = line.rstrip("\n").split("\t")
    src = os.path.join(root, path)
    im = Image.open(src)
    exif = im.info.get("exif")
    icc = im.info.get("icc_profile")
    tags = im.getexif()
    make, model = exif_text(tags.get(271)), exif_text(tags.get(272))
    if tags.get(274) not in (None, 1):
        sys.exit(f"{path}: EXIF orientation {tags.get(274)} not handled")
    w, h = im.size
    if w <= h:
        size = (short_side, round(h * short_side / w))
    else:
        size = (round(w * short_side / h), short_side)
    small = im.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    kw = dict(quality=quality, subsampling=0, optimize=False, progressive=False)
    if exif:
        kw["exif"] = exif
    if icc:
        kw["icc_profile"] = icc
    small.save(os.path.join(out_dir, name), "JPEG", **kw)

    cr, lic = copyright_of(pkg, path)
    credit = cr
    all_licences.add(lic)
    meta = plasma_meta(path)
    if meta:
        author, meta_lic, title = meta
        credit = f"{author} (wallpaper \"{title}\"); package copyright: {cr}"
        if meta_lic:
            all_licences.add(meta_lic)
            lic = f"{lic} (copyright file); {meta_lic} (wallpaper metadata.json)"
    rows.append((name, pkg, versions[pkg], path, credit, lic,
                 f"{make} / {model}" if (make or model) else "no",
                 f"{w}x{h}", f"{size[0]}x{size[1]}"))
    print(f"{name:40s} {size[0]}x{size[1]}  exif={'yes' if exif else 'no':3s} make/model={make!r}/{model!r}")

with_cam = sum(1 for r in rows if r[6] != "no")
licences = sorted(all_licences)
with open(os.path.join(out_dir, "ATTRIBUTION.md"), "w", encoding="utf-8") as f:
    f.write("# Sample photos: sources and licences\n\n")
    f.write("These photographs come from Debian wallpaper packages. They were downscaled by "
            "`tools/make_photos.sh` (shorter side 384 px, aspect kept, Lanczos; JPEG quality 95, "
            "4:4:4 chroma, source EXIF block and ICC profile kept unchanged, so EXIF size fields "
            "still describe the original image). Run that script to rebuild this folder and this file.\n\n")
    f.write(f"{len(rows)} photos; {with_cam} carry camera EXIF Make/Model.\n\n")
    f.write("Author/credit and licence are as stated in the package's `/usr/share/doc/<package>/copyright` "
            "(e-mail addresses left out); for Plasma wallpapers the author named in the wallpaper's "
            "`metadata.json` is given too. Share-alike licences (CC-BY-SA, GPL, LGPL) apply to these "
            "downscaled copies as well.\n\n")
    f.write("| File | Package (version) | Original file in package | Author / credit | Licence | Camera EXIF Make / Model | Original size | Size |\n")
    f.write("|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        f.write("| " + " | ".join([f"`{r[0]}`", f"{r[1]} ({r[2]})", f"`{r[3]}`", r[4], r[5], r[6], r[7], r[8]]) + " |\n")
    f.write("\nLicences involved: " + "; ".join(licences) + ".\n")
    f.write(f"\nEncoded with Pillow {PIL.__version__}.\n")
PY

echo "wrote $(ls "$OUT_DIR"/*.jpg | wc -l) photos to $OUT_DIR ($(du -sh "$OUT_DIR" | cut -f1))"
