
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ai-setup' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ai-setup'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ai-setup' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in to an org and configure this machine''s AI clients for it (the URL is remembered)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget an org''s credentials and remove its token from the clients'' files')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show who you are, which org, token expiry, where the token is stored, and clients')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Re-fetch the org''s configuration and re-apply it to the clients (for timers); approves nothing')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Review the programs the org''s local MCP servers run (new or changed), approve them, and sync')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Let a project file (.ai-setup.json[c]) take effect, as it is now; or list or revoke trust')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the current org token and nothing else (for client helpers and scripts)')
            [CompletionResult]::new('clients', 'clients', [CompletionResultType]::ParameterValue, 'The supported clients: installed, configured, drift, and what cannot be configured')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check everything (endpoint, token, credential store, clients, files, PATH, clock) and say how to fix each problem')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'The models the org offers, with limits, prices and which clients can use each')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Your own usage of the org''s models: totals, per model, per day, and your budget')
            [CompletionResult]::new('dashboard', 'dashboard', [CompletionResultType]::ParameterValue, 'The dashboard: identity, clients, models, usage and MCP servers (the default on a terminal)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved configuration and where each value comes from')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'MCP helpers that clients run: a stdio bridge to the org''s remote MCP servers')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run one of the org''s local MCP servers with the org token in its environment')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Forward model requests from clients that hold only a static key to the org, with the org token (loopback only; socket-activated by `service install`)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'List the backups ai-setup took before changing files, or restore one')
            [CompletionResult]::new('service', 'service', [CompletionResultType]::ParameterValue, 'Keep the clients fresh: run `ai-setup sync` periodically (systemd user timer, launchd agent)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the reference org endpoint (PROTOCOL.md) from an org folder')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole login against a built-in demo org, in a sandbox home')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write the shell completions and man pages into DIR (`dist/` holds the committed ones)')
            [CompletionResult]::new('dev-token', 'dev-token', [CompletionResultType]::ParameterValue, 'Print a development token from an `ai-setup serve` endpoint (the demo org''s login command)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;login' {
            [CompletionResult]::new('--clients', '--clients', [CompletionResultType]::ParameterName, 'Clients to configure: a comma-separated list of ids, `all` (every client the org enables), or `installed` (those of them installed here); later runs without the flag, the timer''s too, keep to the last one given [default: installed]')
            [CompletionResult]::new('--credential-store', '--credential-store', [CompletionResultType]::ParameterName, 'Where to keep the token')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a configuration key for the clients, above every other layer; VALUE is JSON or a string')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Log in as a service account (OAuth client credentials) with this client id')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'The environment variable that holds the service account''s client secret')
            [CompletionResult]::new('--id-token-env', '--id-token-env', [CompletionResultType]::ParameterName, 'Exchange the CI identity token in this environment variable for an org token (RFC 8693)')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Take the token from this environment variable instead of running the login command')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept the org''s login command, and with `login` or `approve` its local servers'' programs, without asking (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept the org''s login command, and with `login` or `approve` its local servers'' programs, without asking (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change, as diffs, without changing anything')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace entries ai-setup wrote that were changed since (drift) with the org''s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('--unattended', '--unattended', [CompletionResultType]::ParameterName, 'Let `token` and `sync` re-run the org''s login command, without asking, when the token runs out (for commands such as `cloudflared access token` that need no person while their own session lasts)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Sign in on another device (OpenID Connect device flow) instead of a browser here; without a terminal, required to wait for someone to approve')
            [CompletionResult]::new('--github-actions', '--github-actions', [CompletionResultType]::ParameterName, 'Exchange this GitHub Actions job''s OIDC token for an org token (needs `id-token: write`)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the token from standard input instead of running the org''s login command')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ai-setup;logout' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--restore', '--restore', [CompletionResultType]::ParameterName, 'Also remove everything else ai-setup wrote into the clients'' files for this org')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change without changing anything')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;status' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;sync' {
            [CompletionResult]::new('--clients', '--clients', [CompletionResultType]::ParameterName, 'Clients to configure: a comma-separated list of ids, `all` (every client the org enables), or `installed` (those of them installed here); later runs without the flag, the timer''s too, keep to the last one given [default: installed]')
            [CompletionResult]::new('--credential-store', '--credential-store', [CompletionResultType]::ParameterName, 'Where to keep the token')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a configuration key for the clients, above every other layer; VALUE is JSON or a string')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Log in as a service account (OAuth client credentials) with this client id')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'The environment variable that holds the service account''s client secret')
            [CompletionResult]::new('--id-token-env', '--id-token-env', [CompletionResultType]::ParameterName, 'Exchange the CI identity token in this environment variable for an org token (RFC 8693)')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Take the token from this environment variable instead of running the login command')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept the org''s login command, and with `login` or `approve` its local servers'' programs, without asking (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept the org''s login command, and with `login` or `approve` its local servers'' programs, without asking (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change, as diffs, without changing anything')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace entries ai-setup wrote that were changed since (drift) with the org''s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('--unattended', '--unattended', [CompletionResultType]::ParameterName, 'Let `token` and `sync` re-run the org''s login command, without asking, when the token runs out (for commands such as `cloudflared access token` that need no person while their own session lasts)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Sign in on another device (OpenID Connect device flow) instead of a browser here; without a terminal, required to wait for someone to approve')
            [CompletionResult]::new('--github-actions', '--github-actions', [CompletionResultType]::ParameterName, 'Exchange this GitHub Actions job''s OIDC token for an org token (needs `id-token: write`)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the token from standard input instead of running the org''s login command')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ai-setup;approve' {
            [CompletionResult]::new('--clients', '--clients', [CompletionResultType]::ParameterName, 'Clients to configure: a comma-separated list of ids, `all` (every client the org enables), or `installed` (those of them installed here); later runs without the flag, the timer''s too, keep to the last one given [default: installed]')
            [CompletionResult]::new('--credential-store', '--credential-store', [CompletionResultType]::ParameterName, 'Where to keep the token')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a configuration key for the clients, above every other layer; VALUE is JSON or a string')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Log in as a service account (OAuth client credentials) with this client id')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'The environment variable that holds the service account''s client secret')
            [CompletionResult]::new('--id-token-env', '--id-token-env', [CompletionResultType]::ParameterName, 'Exchange the CI identity token in this environment variable for an org token (RFC 8693)')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Take the token from this environment variable instead of running the login command')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept the org''s login command, and with `login` or `approve` its local servers'' programs, without asking (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept the org''s login command, and with `login` or `approve` its local servers'' programs, without asking (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change, as diffs, without changing anything')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace entries ai-setup wrote that were changed since (drift) with the org''s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('--unattended', '--unattended', [CompletionResultType]::ParameterName, 'Let `token` and `sync` re-run the org''s login command, without asking, when the token runs out (for commands such as `cloudflared access token` that need no person while their own session lasts)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Sign in on another device (OpenID Connect device flow) instead of a browser here; without a terminal, required to wait for someone to approve')
            [CompletionResult]::new('--github-actions', '--github-actions', [CompletionResultType]::ParameterName, 'Exchange this GitHub Actions job''s OIDC token for an org token (needs `id-token: write`)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the token from standard input instead of running the org''s login command')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ai-setup;trust' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Stop trusting it')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the trusted files and whether each is still as trusted')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;token' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ai-setup;clients' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;doctor' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the checks as one JSON object (shape in README)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;models' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only models whose id, name, provider or family contains TEXT (any case)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only models whose id, name, provider or family contains TEXT (any case)')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Only models of this provider id (e.g. anthropic)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'The whole catalog shipped with ai-setup, not only what the org offers (works logged out)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object (shape in README)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;usage' {
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'The last N days, today included')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The first day (YYYY-MM-DD, UTC); overrides --days')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The last day (YYYY-MM-DD, UTC) [default: today]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the org''s report as one JSON object (PROTOCOL.md §3)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;dashboard' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;config' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The resolved configuration, each value with the layer and file that set it')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'One key: its value, the layer and file that set it, what it overrode, whether it is locked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The files each layer is read from, and whether they exist')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;config;show' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]; its layer is the last fetched document')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Include the org''s overlay for this client (`ai_setup.clients.<ID>`)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a key for this command only (the highest layer); VALUE is JSON or a string')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;config;explain' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]; its layer is the last fetched document')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Include the org''s overlay for this client (`ai_setup.clients.<ID>`)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a key for this command only (the highest layer); VALUE is JSON or a string')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;config;path' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]; its layer is the last fetched document')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Include the org''s overlay for this client (`ai_setup.clients.<ID>`)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a key for this command only (the highest layer); VALUE is JSON or a string')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The resolved configuration, each value with the layer and file that set it')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'One key: its value, the layer and file that set it, what it overrode, whether it is locked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The files each layer is read from, and whether they exist')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;config;help;show' {
            break
        }
        'ai-setup;config;help;explain' {
            break
        }
        'ai-setup;config;help;path' {
            break
        }
        'ai-setup;config;help;help' {
            break
        }
        'ai-setup;mcp' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'A stdio MCP server forwarding to the org''s remote server NAME with the current token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;mcp;bridge' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;mcp;help' {
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'A stdio MCP server forwarding to the org''s remote server NAME with the current token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;mcp;help;bridge' {
            break
        }
        'ai-setup;mcp;help;help' {
            break
        }
        'ai-setup;exec' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;proxy' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Loopback address to listen on, unless systemd hands over a socket (`LISTEN_FDS`)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org [default: the remembered org]')
            [CompletionResult]::new('--idle-exit', '--idle-exit', [CompletionResultType]::ParameterName, 'Exit after this many seconds without a request (socket activation starts it again)')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;restore' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;service' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install and start the timer (systemd user units on Linux, a launchd agent on macOS)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Stop and remove it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;service;install' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often to sync, e.g. 30m or 2h [default: the org''s ai_setup.refresh, else 1h]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--no-start', '--no-start', [CompletionResultType]::ParameterName, 'Write the files but do not enable or start the timer')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;service;uninstall' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--no-stop', '--no-stop', [CompletionResultType]::ParameterName, 'Remove the files without stopping the timer first')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;service;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install and start the timer (systemd user units on Linux, a launchd agent on macOS)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Stop and remove it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;service;help;install' {
            break
        }
        'ai-setup;service;help;uninstall' {
            break
        }
        'ai-setup;service;help;help' {
            break
        }
        'ai-setup;serve' {
            [CompletionResult]::new('--org-dir', '--org-dir', [CompletionResultType]::ParameterName, 'The org folder: discovery.json, and optionally users.json [default: the built-in demo org]')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free port)')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'The base URL to announce instead of the address requests arrive at (behind a proxy)')
            [CompletionResult]::new('--token-ttl', '--token-ttl', [CompletionResultType]::ParameterName, 'Lifetime of the development tokens it issues, in seconds')
            [CompletionResult]::new('--clock-offset', '--clock-offset', [CompletionResultType]::ParameterName, 'Send a Date header this many seconds off the real time (to try `doctor`''s clock check)')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Append every model request to FILE, one JSON line each: path, API, model, the token''s user (never the token), user agent, system prompt, tool names, the last user text')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;demo' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The sandbox home to configure [default: a fresh folder in ai-setup''s cache]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('--keep-serving', '--keep-serving', [CompletionResultType]::ParameterName, 'Keep the demo endpoint running afterwards, so you can run the clients against it')
            [CompletionResult]::new('--no-dashboard', '--no-dashboard', [CompletionResultType]::ParameterName, 'Do not open the dashboard at the end (it opens only on a terminal anyway)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;generate' {
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;dev-token' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user to issue the token for (default: the org''s first user)')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ai-setup;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in to an org and configure this machine''s AI clients for it (the URL is remembered)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget an org''s credentials and remove its token from the clients'' files')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show who you are, which org, token expiry, where the token is stored, and clients')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Re-fetch the org''s configuration and re-apply it to the clients (for timers); approves nothing')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Review the programs the org''s local MCP servers run (new or changed), approve them, and sync')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Let a project file (.ai-setup.json[c]) take effect, as it is now; or list or revoke trust')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the current org token and nothing else (for client helpers and scripts)')
            [CompletionResult]::new('clients', 'clients', [CompletionResultType]::ParameterValue, 'The supported clients: installed, configured, drift, and what cannot be configured')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check everything (endpoint, token, credential store, clients, files, PATH, clock) and say how to fix each problem')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'The models the org offers, with limits, prices and which clients can use each')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Your own usage of the org''s models: totals, per model, per day, and your budget')
            [CompletionResult]::new('dashboard', 'dashboard', [CompletionResultType]::ParameterValue, 'The dashboard: identity, clients, models, usage and MCP servers (the default on a terminal)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved configuration and where each value comes from')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'MCP helpers that clients run: a stdio bridge to the org''s remote MCP servers')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run one of the org''s local MCP servers with the org token in its environment')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Forward model requests from clients that hold only a static key to the org, with the org token (loopback only; socket-activated by `service install`)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'List the backups ai-setup took before changing files, or restore one')
            [CompletionResult]::new('service', 'service', [CompletionResultType]::ParameterValue, 'Keep the clients fresh: run `ai-setup sync` periodically (systemd user timer, launchd agent)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the reference org endpoint (PROTOCOL.md) from an org folder')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole login against a built-in demo org, in a sandbox home')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write the shell completions and man pages into DIR (`dist/` holds the committed ones)')
            [CompletionResult]::new('dev-token', 'dev-token', [CompletionResultType]::ParameterValue, 'Print a development token from an `ai-setup serve` endpoint (the demo org''s login command)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ai-setup;help;login' {
            break
        }
        'ai-setup;help;logout' {
            break
        }
        'ai-setup;help;status' {
            break
        }
        'ai-setup;help;sync' {
            break
        }
        'ai-setup;help;approve' {
            break
        }
        'ai-setup;help;trust' {
            break
        }
        'ai-setup;help;token' {
            break
        }
        'ai-setup;help;clients' {
            break
        }
        'ai-setup;help;doctor' {
            break
        }
        'ai-setup;help;models' {
            break
        }
        'ai-setup;help;usage' {
            break
        }
        'ai-setup;help;dashboard' {
            break
        }
        'ai-setup;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The resolved configuration, each value with the layer and file that set it')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'One key: its value, the layer and file that set it, what it overrode, whether it is locked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The files each layer is read from, and whether they exist')
            break
        }
        'ai-setup;help;config;show' {
            break
        }
        'ai-setup;help;config;explain' {
            break
        }
        'ai-setup;help;config;path' {
            break
        }
        'ai-setup;help;mcp' {
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'A stdio MCP server forwarding to the org''s remote server NAME with the current token')
            break
        }
        'ai-setup;help;mcp;bridge' {
            break
        }
        'ai-setup;help;exec' {
            break
        }
        'ai-setup;help;proxy' {
            break
        }
        'ai-setup;help;restore' {
            break
        }
        'ai-setup;help;service' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install and start the timer (systemd user units on Linux, a launchd agent on macOS)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Stop and remove it')
            break
        }
        'ai-setup;help;service;install' {
            break
        }
        'ai-setup;help;service;uninstall' {
            break
        }
        'ai-setup;help;serve' {
            break
        }
        'ai-setup;help;demo' {
            break
        }
        'ai-setup;help;generate' {
            break
        }
        'ai-setup;help;dev-token' {
            break
        }
        'ai-setup;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
