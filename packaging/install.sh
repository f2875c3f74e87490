#!/usr/bin/env bash
# Install Hessian Lens for the current user on Linux: the application menu entry, the icons and
# the AppStream metadata, and (with a bundle) the program itself.
#
#   packaging/install.sh                  install the bundle dist/hessianlens (python packaging/build.py)
#   packaging/install.sh --bundle DIR     install the bundle in DIR
#   packaging/install.sh --entry-only     menu entry for a `hessianlens` already on PATH (pip/pipx)
#   packaging/install.sh --uninstall      remove what this script installed
#
# PREFIX (default ~/.local) decides where: PREFIX/lib/hessianlens, PREFIX/bin/hessianlens,
# PREFIX/share/{applications,icons/hicolor,metainfo}.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
APP_ID="io.github.hessianlens.HessianLens"
PREFIX="${PREFIX:-$HOME/.local}"
SHARE="$PREFIX/share"
SIZES="16 32 48 64 128 256"

mode="bundle"
bundle="$REPO/dist/hessianlens"
case "${1:-}" in
  "") ;;
  --bundle) bundle="${2:?--bundle needs a folder}" ;;
  --entry-only) mode="entry" ;;
  --uninstall) mode="uninstall" ;;
  *) echo "usage: $0 [--bundle DIR | --entry-only | --uninstall]" >&2; exit 2 ;;
esac

refresh_caches() {
  # Menus and icon themes pick the new files up at once where these tools exist.
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true
  # A stale icon-theme.cache hides new icons, so refresh one that exists but never create one.
  if [ -f "$SHARE/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
  elif [ -d "$SHARE/icons/hicolor" ]; then
    touch "$SHARE/icons/hicolor"
  fi
}

if [ "$mode" = "uninstall" ]; then
  rm -rf "$PREFIX/lib/hessianlens"
  if [ -L "$PREFIX/bin/hessianlens" ]; then rm -f "$PREFIX/bin/hessianlens"; fi
  rm -f "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml" \
        "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
  for s in $SIZES; do rm -f "$SHARE/icons/hicolor/${s}x${s}/apps/$APP_ID.png"; done
  refresh_caches
  echo "removed Hessian Lens from $PREFIX"
  exit 0
fi

if [ "$mode" = "bundle" ]; then
  if [ ! -x "$bundle/hessianlens" ]; then
    echo "no bundle at $bundle: build it first with 'python packaging/build.py'" >&2
    exit 1
  fi
  rm -rf "$PREFIX/lib/hessianlens"
  mkdir -p "$PREFIX/lib" "$PREFIX/bin"
  cp -a "$bundle" "$PREFIX/lib/hessianlens"
  ln -sfn "$PREFIX/lib/hessianlens/hessianlens" "$PREFIX/bin/hessianlens"
  command_path="$PREFIX/bin/hessianlens"
else
  command_path="$(command -v hessianlens || true)"
  if [ -z "$command_path" ]; then
    echo "no 'hessianlens' on PATH: install it first (pipx install .)" >&2
    exit 1
  fi
fi

# The menu entry runs the absolute path: a desktop session's PATH may lack ~/.local/bin.
mkdir -p "$SHARE/applications" "$SHARE/metainfo" "$SHARE/icons/hicolor/scalable/apps"
sed "s|^Exec=hessianlens|Exec=$command_path|" "$HERE/$APP_ID.desktop" \
  > "$SHARE/applications/$APP_ID.desktop"
cp "$HERE/$APP_ID.metainfo.xml" "$SHARE/metainfo/"
cp "$REPO/resources/icons/hessianlens.svg" "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
for s in $SIZES; do
  mkdir -p "$SHARE/icons/hicolor/${s}x${s}/apps"
  cp "$REPO/resources/icons/hessianlens-$s.png" "$SHARE/icons/hicolor/${s}x${s}/apps/$APP_ID.png"
done
refresh_caches
echo "installed Hessian Lens: $command_path, menu entry $SHARE/applications/$APP_ID.desktop"
