#!/usr/bin/env bash
# Rebuilds data/photos/ (the bundled sample photographs, one sub-folder per coarse semantic class) and
# data/photos/ATTRIBUTION.md from Debian packages that ship openly licensed photographs.
#
#   tools/make_photos.sh
#
# Steps: apt-get download the packages (pinned to the Debian 12 "bookworm" versions when the archive
# still serves them), dpkg -x them into a temporary directory, take the fixed list of photographs below
# (real photos only: no illustrations, gradients or abstract art; each one looked at and given its class
# by hand, see data/photos/ATTRIBUTION.md), downscale each so its SHORTER side is 384 px (aspect kept,
# Lanczos; never upscaled), and save it as baseline JPEG quality 95 with 4:4:4 chroma (no subsampling), keeping the
# source's EXIF block and ICC profile byte for byte.
# GCompris keeps its photos inside Qt resource (.rcc) files; a small reader below takes them out (no
# Debian tool extracts .rcc files).
# Author and licence of each photo are read from where its package states them: the package's
# copyright file; for Plasma wallpapers also the wallpaper's metadata.json; for Palapeli the puzzle's
# .desktop file; for GCompris the README beside the photo; for scikit-learn the images' README.txt;
# for scikit-image the data function's docstring (quoted in the selection's last two columns).
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
  "gcompris-qt-data=3.1-2"
  "lomiri-wallpapers-16.04=20.04.0-2"
  "lomiri-wallpapers-20.04=20.04.0-2"
  "lxqt-themes=1.2.0-1"
  "mate-backgrounds=1.26.0-1"
  "palapeli-data=4:22.12.3-1"
  "plasma-workspace-wallpapers=4:5.27.5-2"
  "python3-skimage=0.19.3-8"
  "python3-sklearn=1.2.1+dfsg-1"
)

# The selection: class <TAB> output name <TAB> package <TAB> file inside the package (for GCompris:
# resource file!path inside it) [<TAB> credit <TAB> licence, only where the package states them in prose].
# Classes, by the photo's main subject: animal, building, landscape, object, person, plant.
SELECTION="$(cat <<'EOF'
animal	gcompris-alpaca.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/alpaca.webp
animal	gcompris-bison.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_animals.rcc!gcompris/src/activities/explore_world_animals/resource/animals/bison.webp
animal	gcompris-cheetah.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/cheetah.webp
animal	gcompris-crab.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/crab.webp
animal	gcompris-horse.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/horse.webp
animal	gcompris-kingfisher.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/kingfisher.webp
animal	gcompris-koala.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_animals.rcc!gcompris/src/activities/explore_world_animals/resource/animals/koala.webp
animal	gcompris-penguin.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/penguin.webp
animal	gcompris-polar-bear.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_animals.rcc!gcompris/src/activities/explore_world_animals/resource/animals/polar_bear.webp
animal	gcompris-red-panda.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/red_panda.webp
animal	gcompris-swans.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/swans.webp
animal	gcompris-toucan.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/erase.rcc!gcompris/src/activities/erase/resource/toucan.webp
animal	lomiri-1604-dogs-at-window.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg
animal	lomiri-1604-dragonfly-on-branch.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Dragonfly_by_Bolly.jpg
animal	lomiri-2004-nuthatch-on-tree.jpg	lomiri-wallpapers-20.04	usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg
animal	lxqt-butterfly-on-stem.jpg	lxqt-themes	usr/share/lxqt/wallpapers/Butterfly-Kenneth-Wimer.jpg
animal	lxqt-swallowtail-on-thistle.jpg	lxqt-themes	usr/share/lxqt/wallpapers/butterfly.png
animal	mate-ladybird-on-grass.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/LadyBird.jpg
animal	palapeli-european-honey-bee.jpg	palapeli-data	usr/share/palapeli/collection/european-honey-bee.jpg
animal	palapeli-panther-chameleon.jpg	palapeli-data	usr/share/palapeli/collection/panther-chameleon-female.jpg
animal	skimage-cat.jpg	python3-skimage	usr/lib/python3/dist-packages/skimage/data/chelsea.png	Stefan van der Walt (skimage.data.chelsea)	CC0-1.0
building	gcompris-arles-amphitheatre.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/france/arlesAmphitheater.webp
building	gcompris-berlin-cathedral.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/germany/berlinCathedral.webp
building	gcompris-charminar.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/india/charminar.webp
building	gcompris-chateau-de-chambord.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/france/chateaudeChambord.webp
building	gcompris-chichen-itza.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/wonders/chichenItza.webp
building	gcompris-cite-de-carcassonne.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/france/citedeCarcassonne.webp
building	gcompris-colosseum.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/wonders/colosseum.webp
building	gcompris-eiffel-tower.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/france/eiffelTower.webp
building	gcompris-gateway-of-india.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/india/gatewayofIndia.webp
building	gcompris-hawa-mahal.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/india/hawaMahal.webp
building	gcompris-lincoln-memorial.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/usa/lincolnMemorial.webp
building	gcompris-mysore-palace.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/india/mysorePalace.webp
building	gcompris-neuschwanstein-castle.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/germany/neuschwansteinCastle.webp
building	gcompris-palais-des-papes.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/france/palaisdesPapes.webp
building	gcompris-petra.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/wonders/petra.webp
building	gcompris-taj-mahal.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/wonders/tajMahal.webp
building	palapeli-castle-maintenon.jpg	palapeli-data	usr/share/palapeli/collection/castle-maintenon.jpg
building	palapeli-cincinnati-bridge.jpg	palapeli-data	usr/share/palapeli/collection/cincinnati-bridge.jpg
building	plasma-grey-facade-architecture.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/Grey/contents/images/2560x1600.jpg
building	sklearn-pagoda.jpg	python3-sklearn	usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg
landscape	gcompris-canyon-de-chelly.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_monuments.rcc!gcompris/src/activities/explore_monuments/resource/usa/canyondeChelly.webp
landscape	lomiri-1604-autumn-hills.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg
landscape	lomiri-1604-forest-stream.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg
landscape	lomiri-1604-mountain-sunset.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg
landscape	lomiri-1604-mountain-trail.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg
landscape	lxqt-clouds-at-sunset.jpg	lxqt-themes	usr/share/lxqt/wallpapers/after-the-rain.jpg
landscape	lxqt-cloudy-sky.jpg	lxqt-themes	usr/share/lxqt/wallpapers/cloud.png
landscape	lxqt-fog-over-field.jpg	lxqt-themes	usr/share/lxqt/wallpapers/fog.jpg
landscape	lxqt-green-hills.jpg	lxqt-themes	usr/share/lxqt/wallpapers/this-is-not-windows.jpg
landscape	lxqt-mountain-ridges.jpg	lxqt-themes	usr/share/lxqt/wallpapers/Valendas.png
landscape	lxqt-sunbeam-over-hills.jpg	lxqt-themes	usr/share/lxqt/wallpapers/beam.png
landscape	mate-dune-grass-sea.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Dune.jpg
landscape	mate-storm-clouds-road.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Storm.jpg
landscape	plasma-evening-glow-rowing-boats.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg
landscape	plasma-foggy-pier.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg
landscape	plasma-forest-path.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/Path/contents/images/2560x1600.jpg
landscape	plasma-kite-in-blue-sky.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/Kite/contents/images/2560x1600.jpg
landscape	plasma-lakeside-jetty.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg
landscape	plasma-misty-lake-dusk.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg
landscape	plasma-summer-lake-dusk.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg
object	gcompris-bata-drums.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/africa.webp
object	gcompris-drum-kit-and-guitar.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/america.webp
object	gcompris-dutar.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/middleeast.webp
object	lomiri-1604-fig-in-red-bowl.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Picture_0B_by_freespace.jpg
object	lomiri-1604-lamps-and-bird-figure.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/free_by_Peter_Nerlich.jpg
object	lomiri-1604-paint-brushes.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Picture_1A_by_freespace.jpg
object	lomiri-1604-wall-clock.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/greentock_by_Peter_Nerlich.jpg
object	lomiri-1604-wine-bottle-room.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg
object	mate-wood-surface.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Wood.jpg
object	palapeli-citrus-fruits.jpg	palapeli-data	usr/share/palapeli/collection/citrus-fruits.jpg
object	plasma-colorful-cups.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg
object	skimage-coffee-cup.jpg	python3-skimage	usr/lib/python3/dist-packages/skimage/data/coffee.png	Rachel Michetti, courtesy of Pikolo Espresso Bar (skimage.data.coffee)	CC0-1.0
object	skimage-rocket-on-launch-pad.jpg	python3-skimage	usr/lib/python3/dist-packages/skimage/data/rocket.jpg	SpaceX, launch of DSCOVR on Falcon 9 (skimage.data.rocket)	public domain
person	gcompris-didgeridoo-player.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/australia.webp
person	gcompris-folk-band.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/ireland.webp
person	gcompris-mariachi.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/mexico.webp
person	gcompris-opera-singers.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/italy.webp
person	gcompris-orchestra.jpg	gcompris-qt-data	usr/share/gcompris-qt/rcc/explore_world_music.rcc!gcompris/src/activities/explore_world_music/resource/music/orchestra.webp
person	skimage-astronaut.jpg	python3-skimage	usr/lib/python3/dist-packages/skimage/data/astronaut.png	NASA, portrait of Eileen Collins (skimage.data.astronaut)	public domain
plant	lomiri-1604-dandelion-meadow.jpg	lomiri-wallpapers-16.04	usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg
plant	lxqt-apple-blossom.jpg	lxqt-themes	usr/share/lxqt/wallpapers/appleflower.png
plant	lxqt-drop-on-grass-blade.jpg	lxqt-themes	usr/share/lxqt/wallpapers/drop.png
plant	lxqt-wildflower-meadow.jpg	lxqt-themes	usr/share/lxqt/wallpapers/flowers.png
plant	mate-dandelion-seeds.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/TwoWings.jpg
plant	mate-grass-blades.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/GreenMeadow.jpg
plant	mate-green-leaf-veins.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Blinds.jpg
plant	mate-marigold.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/Garden.jpg
plant	mate-orange-flower.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/FreshFlower.jpg
plant	mate-raindrops-on-leaf.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/RainDrops.jpg
plant	mate-yellow-flower.jpg	mate-backgrounds	usr/share/backgrounds/mate/nature/YellowFlower.jpg
plant	plasma-fallen-maple-leaf.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg
plant	plasma-moss-close-up.jpg	plasma-workspace-wallpapers	usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg
plant	sklearn-dahlia.jpg	python3-sklearn	usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg
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
rm -f "$OUT_DIR"/*.jpg "$OUT_DIR"/*/*.jpg
printf '%s\n' "$SELECTION" | LC_ALL=C sort > "$WORK/selection.tsv"

"$PY" - "$WORK/root" "$WORK/versions.tsv" "$WORK/selection.tsv" "$OUT_DIR" "$SHORT_SIDE" "$QUALITY" <<'PY'
import collections, fnmatch, io, json, os, re, struct, sys, zlib
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

def desktop_entry(path):
    """Author and licence from a Palapeli puzzle's .desktop file."""
    fields = {}
    for line in open(os.path.join(root, os.path.splitext(path)[0] + ".desktop"), encoding="utf-8"):
        k, _, v = line.strip().partition("=")
        fields[k] = v
    return fields["X-KDE-PluginInfo-Author"], fields["X-KDE-PluginInfo-License"]

def rcc_files(rcc_path):
    """The files of a Qt resource (.rcc) file as {path: bytes}. Format: 'qres', version, then offsets of
    the tree (entries of 14 bytes, 22 from version 2), the data (4-byte size + bytes, zlib after a 4-byte
    length when flag 1 is set) and the names (2-byte length, 4-byte hash, UTF-16BE)."""
    b = open(rcc_path, "rb").read()
    if b[:4] != b"qres":
        sys.exit(f"{rcc_path}: not a Qt resource file")
    ver, tree, data, names = struct.unpack(">IIII", b[4:20])
    esz = 14 if ver < 2 else 22
    out = {}
    def name(off):
        n = struct.unpack(">H", b[names + off:names + off + 2])[0]
        return b[names + off + 6:names + off + 6 + 2 * n].decode("utf-16-be")
    def walk(i, prefix):
        e = tree + i * esz
        noff, flags = struct.unpack(">IH", b[e:e + 6])
        nm = name(noff) if i else ""
        if flags & 2:
            count, first = struct.unpack(">II", b[e + 6:e + 14])
            for c in range(first, first + count):
                walk(c, prefix + nm + "/")
            return
        doff = struct.unpack(">I", b[e + 10:e + 14])[0]
        size = struct.unpack(">I", b[data + doff:data + doff + 4])[0]
        blob = b[data + doff + 4:data + doff + 4 + size]
        if flags & 1:
            blob = zlib.decompress(blob[4:])
        elif flags & 4:
            return  # zstd: not used by the files taken here
        out[(prefix + nm).lstrip("/")] = blob
    walk(0, "")
    return out

def readme_entry(readme_text, base):
    """Copyright, licence, source and comments of the GCompris README paragraph listing `base`."""
    for block in re.split(r"\n\s*\n", readme_text):
        fields, key = {}, None
        for line in block.splitlines():
            m = re.match(r"^(\w+):\s*(.*)$", line)
            if m:
                key = m.group(1); fields[key] = m.group(2).strip()
            elif key:
                fields[key] += " " + line.strip()
        if base in fields.get("Files", "").split():
            return fields
    sys.exit(f"no README paragraph for {base}")

def sklearn_credit(path):
    text = open(os.path.join(os.path.dirname(os.path.join(root, path)), "README.txt"), encoding="utf-8").read()
    block = text.split("Image: " + os.path.basename(path))[1].split("Image: ")[0]
    author = re.search(r"\[2\] https://www.flickr.com/photos/([^/]+)/", block).group(1)
    licence = re.search(r"creativecommons.org/licenses/([a-z-]+)/([0-9.]+)/", block)
    return f"Flickr user {author}", f"CC-{licence.group(1).upper()}-{licence.group(2)}"

def exif_text(v):
    if v is None:
        return ""
    if isinstance(v, bytes):
        v = v.decode("latin-1")
    return v.split("\x00")[0].strip()

rccs, rows, all_licences = {}, [], set()
for line in open(selection_tsv, encoding="utf-8"):
    if not line.strip():
        continue
    cols = line.rstrip("\n").split("\t")
    cls, name, pkg, path = cols[:4]
    comments = ""
    if "!" in path:
        rcc, inner = path.split("!")
        if rcc not in rccs:
            rccs[rcc] = rcc_files(os.path.join(root, rcc))
        im = Image.open(io.BytesIO(rccs[rcc][inner]))
        # The README that lists the photo sits in its folder or a parent, naming it relative to itself.
        folder, rel = os.path.dirname(inner), os.path.basename(inner)
        while folder + "/README" not in rccs[rcc]:
            folder, rel = os.path.dirname(folder), os.path.basename(folder) + "/" + rel
        entry = readme_entry(rccs[rcc][folder + "/README"].decode("utf-8"), rel)
        credit = f"{entry['Copyright']}, original: {entry['Source']}"
        lic = entry["License"].replace("CC-BY-SA 4.0", "CC-BY-SA-4.0").replace("CC-BY 2.0", "CC-BY-2.0")
        comments = entry.get("Comments", "")
    else:
        im = Image.open(os.path.join(root, path))
        if len(cols) >= 6:
            credit, lic = cols[4], cols[5]
        elif pkg == "palapeli-data":
            credit, lic = desktop_entry(path)
        elif pkg == "python3-sklearn":
            credit, lic = sklearn_credit(path)
        else:
            credit, lic = copyright_of(pkg, path)
            meta = plasma_meta(path)
            if meta:
                author, meta_lic, title = meta
                credit = f"{author} (wallpaper \"{title}\"); package copyright: {credit}"
                if meta_lic:
                    all_licences.add(meta_lic)
                    lic = f"{lic} (copyright file); {meta_lic} (wallpaper metadata.json)"
    if lic.lower() == "public domain":
        lic = "public domain"
    all_licences.add(lic.split(" (")[0])
    exif = im.info.get("exif")
    if exif is None and "Raw profile type exif" in im.info:
        # ImageMagick-written PNGs keep EXIF as a hex text chunk: "\nexif\n<length>\n<hex lines>".
        exif = bytes.fromhex("".join(im.info["Raw profile type exif"].split()[2:]))
    icc = im.info.get("icc_profile")
    tags = im.getexif()
    make, model = exif_text(tags.get(271)), exif_text(tags.get(272))
    if tags.get(274) not in (None, 1):
        sys.exit(f"{path}: EXIF orientation {tags.get(274)} not handled")
    w, h = im.size
    if min(w, h) <= short_side:
        size = (w, h)  # never upscaled
    elif w <= h:
        size = (short_side, round(h * short_side / w))
    else:
        size = (round(w * short_side / h), short_side)
    small = im.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    kw = dict(quality=quality, subsampling=0, optimize=False, progressive=False)
    if exif:
        # PNG eXIf chunks and WebP EXIF chunks hold the bare TIFF block; a JPEG APP1 segment needs the header.
        kw["exif"] = exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif
    if icc:
        kw["icc_profile"] = icc
    os.makedirs(os.path.join(out_dir, cls), exist_ok=True)
    small.save(os.path.join(out_dir, cls, name), "JPEG", **kw)
    rows.append((f"{cls}/{name}", cls, pkg, versions[pkg], path.replace("!", " → "), credit, lic,
                 f"{make} / {model}" if (make or model) else "no", f"{w}x{h}", f"{size[0]}x{size[1]}", comments))
    print(f"{cls + '/' + name:50s} {size[0]}x{size[1]}  exif={'yes' if exif else 'no':3s} make/model={make!r}/{model!r}")

with_cam = sum(1 for r in rows if r[7] != "no")
per_class = collections.Counter(r[1] for r in rows)
with open(os.path.join(out_dir, "ATTRIBUTION.md"), "w", encoding="utf-8") as f:
    f.write("# Sample photos: sources, licences and classes\n\n")
    f.write("These photographs come from Debian packages (desktop wallpapers, puzzle and educational-game data, "
            "the sample images of scikit-image and scikit-learn). They were downscaled by `tools/make_photos.sh` "
            "(shorter side 384 px, or kept when smaller, aspect kept, Lanczos; JPEG quality 95, 4:4:4 chroma, source EXIF block and ICC "
            "profile kept unchanged, so EXIF size fields still describe the original image). Run that script to "
            "rebuild this folder and this file.\n\n")
    f.write(f"{len(rows)} photos; {with_cam} carry camera EXIF Make/Model.\n\n")
    f.write("## Classes\n\n")
    f.write("Each photo sits in the sub-folder of its coarse semantic class, given by hand after looking at it, by "
            "its main subject: `animal` (any animal, insects included, whatever the background), `building` "
            "(buildings, monuments, bridges), `landscape` (scenery, sky, water, forest with no single subject), "
            "`object` (man-made things and food, close up), `person` (people are the subject), `plant` "
            "(flowers, leaves, grass, moss close up). Image-folder datasets and the quick mode's kNN take these "
            "sub-folders as the semantic classes.\n\n")
    f.write("| Class | Photos |\n|---|---|\n")
    for c in sorted(per_class):
        f.write(f"| {c} | {per_class[c]} |\n")
    f.write("\n## Sources\n\n")
    f.write("Author/credit and licence are as stated by the package: its `/usr/share/doc/<package>/copyright` "
            "(e-mail addresses left out); for Plasma wallpapers also the author in the wallpaper's `metadata.json`; "
            "for Palapeli the puzzle's `.desktop` file; for GCompris the README beside the photo in the package's "
            "resource file (which also names the Wikimedia Commons or Flickr original and the edits GCompris made); "
            "for scikit-learn the images' `README.txt`; for scikit-image the docstring of the `skimage.data` "
            "function. Share-alike licences (CC-BY-SA, GPL, LGPL, FDL) apply to these downscaled copies as well.\n\n")
    f.write("| File | Package (version) | Original file in package | Author / credit | Licence | Camera EXIF Make / Model | Original size | Size | Edits before packaging |\n")
    f.write("|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        f.write("| " + " | ".join([f"`{r[0]}`", f"{r[2]} ({r[3]})", f"`{r[4]}`", r[5], r[6], r[7], r[8], r[9], r[10] or "none stated"]) + " |\n")
    f.write("\nLicences involved: " + "; ".join(sorted(all_licences)) + ".\n")
    f.write(f"\nEncoded with Pillow {PIL.__version__}.\n")
PY

echo "wrote $(ls "$OUT_DIR"/*/*.jpg | wc -l) photos to $OUT_DIR ($(du -sh "$OUT_DIR" | cut -f1))"
