#!/usr/bin/env bash
# Rebuilds tests/Harness.Tests/Pipeline/reference/photos/: the real JPEG photos that tools/reference_pipeline.py
# runs the paper's pipeline on. Then run `/usr/bin/python3 tools/reference_pipeline.py` to rebuild the fixtures.
#
#   tools/make_reference_photos.sh
#
# The photos stay what a camera or an image editor wrote: the wallpapers' small preview JPEGs are copied as
# they are, and larger photos are cut with jpegtran's lossless crop (the DCT coefficients, quantisation tables and
# chroma subsampling of the original file are kept; nothing is decoded or re-encoded). Some crops are rewritten
# progressive or with restart markers, also losslessly, so that those kinds of file are covered.
# Needs: Debian/Ubuntu with apt, and jpegtran (package libjpeg-turbo-progs, installed if absent).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$ROOT/tests/Harness.Tests/Pipeline/reference/photos"
PACKAGES=(
  "mate-backgrounds=1.26.0-1"
  "plasma-workspace-wallpapers=4:5.27.5-2"
  "ukui-wallpapers=20.04.3-1.1"
)

# output name <TAB> file inside the packages <TAB> jpegtran crop (empty: copy as is) <TAB> jpegtran options
SELECTION="$(cat <<'SEL'
autumn-screenshot.jpg	usr/share/wallpapers/Autumn/contents/screenshot.jpg
bythewater-screenshot.jpg	usr/share/wallpapers/BytheWater/contents/screenshot.jpg
coldripple-screenshot.jpg	usr/share/wallpapers/ColdRipple/contents/screenshot.jpg
colorfulcups-screenshot.jpg	usr/share/wallpapers/ColorfulCups/contents/screenshot.jpg
darkesthour-screenshot.jpg	usr/share/wallpapers/DarkestHour/contents/screenshot.jpg
elarun-screenshot.jpg	usr/share/wallpapers/Elarun/contents/screenshot.jpg
eveningglow-screenshot.jpg	usr/share/wallpapers/EveningGlow/contents/screenshot.jpg
fallenleaf-screenshot.jpg	usr/share/wallpapers/FallenLeaf/contents/screenshot.jpg
grey-screenshot.jpg	usr/share/wallpapers/Grey/contents/screenshot.jpg
kite-screenshot.jpg	usr/share/wallpapers/Kite/contents/screenshot.jpg
pastelhills-screenshot.jpg	usr/share/wallpapers/PastelHills/contents/screenshot.jpg
safelanding-screenshot.jpg	usr/share/wallpapers/SafeLanding/contents/screenshot.jpg
summer1am-screenshot.jpg	usr/share/wallpapers/summer_1am/contents/screenshot.jpg
blinds-eos350d.jpg	usr/share/backgrounds/mate/nature/Blinds.jpg	280x187+800+512	-copy all
dune-eos-rebel.jpg	usr/share/backgrounds/mate/nature/Dune.jpg	257x171+704+432	-copy all
elephants-rx100-progressive-restart.jpg	usr/share/backgrounds/mate/abstract/Elephants_3840x2160.jpg	271x181+1600+960	-copy none -progressive -restart 1
fallenleaf-eos70d-restart.jpg	usr/share/wallpapers/FallenLeaf/contents/images/1920x1080.jpg	263x197+1104+704	-copy all -restart 1
firstgeneration-photoshop-restart.jpg	usr/share/backgrounds/firstgeneration.jpg	300x198+1600+1104	-copy all -restart 1
freshflower-progressive.jpg	usr/share/backgrounds/mate/nature/FreshFlower.jpg	333x222+640+480	-copy all -progressive
greenmeadow-portrait-progressive.jpg	usr/share/backgrounds/mate/nature/GreenMeadow.jpg	240x320+528+352	-copy all -progressive
grey-crop.jpg	usr/share/wallpapers/Grey/contents/images/1920x1080.jpg	211x143+1200+720	-copy all
honeywave-portrait.jpg	usr/share/wallpapers/Honeywave/contents/images/1080x1920.jpg	180x320+400+800	-copy all
ladybird-square.jpg	usr/share/backgrounds/mate/nature/LadyBird.jpg	229x229+1152+704	-copy all
raindrops.jpg	usr/share/backgrounds/mate/nature/RainDrops.jpg	266x177+800+496	-copy all
shell-portrait-422.jpg	usr/share/wallpapers/Shell/contents/images/720x1440.jpg	200x333+256+512	-copy all
storm-eos400d.jpg	usr/share/backgrounds/mate/nature/Storm.jpg	301x203+800+600	-copy all
the-mouse-restart.jpg	usr/share/backgrounds/the-mouse.jpg	203x160+1792+1088	-copy all -restart 3B
twowings.jpg	usr/share/backgrounds/mate/nature/TwoWings.jpg	245x163+1104+704	-copy all
volna-progressive.jpg	usr/share/wallpapers/Volna/contents/images/5120x2880.jpg	320x180+2400+1360	-copy all -progressive
wood-dimage-z5-restart.jpg	usr/share/backgrounds/mate/nature/Wood.jpg	259x194+1200+800	-copy none -restart 2
SEL
)"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
command -v jpegtran >/dev/null || as_root apt-get install -y libjpeg-turbo-progs

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/debs" "$WORK/unpacked"
chmod 0777 "$WORK/debs"   # lets apt's download sandbox user write there
for spec in "${PACKAGES[@]}"; do
  (cd "$WORK/debs" && apt-get download "$spec") || (cd "$WORK/debs" && apt-get download "${spec%%=*}")
done
for deb in "$WORK"/debs/*.deb; do dpkg -x "$deb" "$WORK/unpacked"; done

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/*.jpg
while IFS=$'\t' read -r name file crop options; do
  if [ -z "${crop:-}" ]; then
    cp "$WORK/unpacked/$file" "$OUT_DIR/$name"
  else
    # shellcheck disable=SC2086  # options are several words
    jpegtran $options -crop "$crop" -outfile "$OUT_DIR/$name" "$WORK/unpacked/$file"
  fi
done <<< "$SELECTION"
echo "$(ls "$OUT_DIR" | wc -l) photos in $OUT_DIR"
