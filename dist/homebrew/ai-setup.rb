# Homebrew formula: builds ai-setup from source and installs its completions and man pages.
# A tap copies this file to Formula/ai-setup.rb and sets `url` and `sha256` for a release.
class AiSetup < Formula
  desc "Sign in to your organisation's AI coding stack and configure every AI client"
  # homepage, url, sha256 and head: the tap sets them to where the project publishes releases.
  homepage "https://ai-setup.example"
  url "https://ai-setup.example/releases/ai-setup-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"
  head "https://ai-setup.example/ai-setup.git", branch: "main"

  depends_on "rust" => :build

  def install
    # Installs both programs: ai-setup and its token helper ai-setup-token.
    system "cargo", "install", *std_cargo_args
    bash_completion.install "dist/completions/ai-setup.bash" => "ai-setup"
    zsh_completion.install "dist/completions/_ai-setup"
    fish_completion.install "dist/completions/ai-setup.fish"
    man1.install Dir["dist/man/*.1"]
  end

  def caveats
    <<~EOS
      Sign in with `ai-setup login https://ai.example.com`, then keep the clients
      fresh with `ai-setup service install` (a launchd agent running `ai-setup sync`).
    EOS
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/ai-setup --version")
    assert_match "Not logged in", shell_output("#{bin}/ai-setup status 2>&1", 3)
    assert_match "ai-setup login", shell_output("#{bin}/ai-setup-token 2>&1", 3)
  end
end
