#!/usr/bin/env bash
# mypy --strict (settings in pyproject.toml) over the package as it is installed: analysis/ is
# the subpackage checkpointing.analysis (pyproject's package-dir), which mypy cannot map itself,
# so it checks a tree of symbolic links that has that layout. Paths in its report are relative
# to that tree: checkpointing/analysis/X is analysis/X here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mypy=${MYPY:-$root/.venv/bin/mypy}
case $mypy in  # a relative path is relative to here, not to the tree this script moves into
    */*) [ "${mypy#/}" = "$mypy" ] && mypy="$PWD/$mypy" ;;
esac
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/checkpointing"
for entry in "$root"/checkpointing/*; do
    ln -s "$entry" "$tree/checkpointing/"
done
ln -s "$root/analysis" "$tree/checkpointing/analysis"
cd "$tree"
"$mypy" --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" -p checkpointing
