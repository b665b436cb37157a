#!/usr/bin/env bash
# Rebuilds the metadata-only package in build/packages from its nuspec (see ADR/0001).
# A .nupkg is a zip of the nuspec plus two OPC parts; no build tool is needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/Patched.DistributedLock.Postgres.nuspec" "$work/"
mkdir -p "$work/_rels"
cat > "$work/[Content_Types].xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" /><Default Extension="nuspec" ContentType="application/octet" /></Types>
XML
cat > "$work/_rels/.rels" <<'XML'
<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/Patched.DistributedLock.Postgres.nuspec" Id="R1" /></Relationships>
XML
out="$here/../patched.distributedlock.postgres.1.3.3.nupkg"
rm -f "$out"
(cd "$work" && python3 -c "
import zipfile,sys
with zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:
    for f in ['[Content_Types].xml','_rels/.rels','Patched.DistributedLock.Postgres.nuspec']:
        z.write(f)
" "$out")
echo "wrote $out"
