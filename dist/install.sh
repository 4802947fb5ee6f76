#!/bin/sh
# Installs ai-setup with its shell completions and man pages under a prefix.
#
#   dist/install.sh [--prefix DIR] [--binary PATH]
#
#   --prefix DIR    where to install (default: $PREFIX, else ~/.local): DIR/bin/ai-setup
#                   and its token helper ai-setup-token, DIR/share/man/man1/, and the
#                   bash, zsh and fish completion folders under DIR/share
#   --binary PATH   install this ai-setup (and the ai-setup-token beside it) instead of
#                   building one (default: a release build with cargo from this checkout)
#
# Then, to keep the clients fresh: `ai-setup service install`.
set -eu

prefix="${PREFIX:-$HOME/.local}"
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --binary) binary="$2"; shift 2 ;;
    --binary=*) binary="${1#*=}"; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$binary" ]; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is needed to build ai-setup (https://rustup.rs), or pass --binary PATH" >&2
    exit 1
  fi
  echo "Building ai-setup (release)…" >&2
  cargo build --release --locked --manifest-path "$root/Cargo.toml"
  binary="$root/target/release/ai-setup"
fi
if [ ! -x "$binary" ]; then
  echo "install.sh: '$binary' is not an executable" >&2
  exit 1
fi

share="$prefix/share"
install -d "$prefix/bin" "$share/man/man1" "$share/bash-completion/completions" \
  "$share/zsh/site-functions" "$share/fish/vendor_completions.d"
install -m 0755 "$binary" "$prefix/bin/ai-setup"
# The token helper client files run, when it was built next to the binary (see ai-setup-token).
helper="$(dirname "$binary")/ai-setup-token"
if [ -x "$helper" ]; then
  install -m 0755 "$helper" "$prefix/bin/ai-setup-token"
fi
install -m 0644 "$root/dist/completions/ai-setup.bash" "$share/bash-completion/completions/ai-setup"
install -m 0644 "$root/dist/completions/_ai-setup" "$share/zsh/site-functions/_ai-setup"
install -m 0644 "$root/dist/completions/ai-setup.fish" "$share/fish/vendor_completions.d/ai-setup.fish"
install -m 0644 "$root"/dist/man/*.1 "$share/man/man1/"

"$prefix/bin/ai-setup" --version
echo "Installed $prefix/bin/ai-setup, its man pages and its bash, zsh and fish completions."
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Add $prefix/bin to your PATH to run it as \`ai-setup\`." ;;
esac
echo "Next: \`ai-setup login https://ai.example.com\`, then \`ai-setup service install\` to keep it fresh."
