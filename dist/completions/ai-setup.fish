# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ai_setup_global_optspecs
    string join \n v/verbose log-file= ca-file= h/help V/version
end

function __fish_ai_setup_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ai_setup_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ai_setup_using_subcommand
    set -l cmd (__fish_ai_setup_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ai-setup -n "__fish_ai_setup_needs_command" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_needs_command" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_needs_command" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -s V -l version -d 'Print version'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "login" -d 'Sign in to an org and configure this machine\'s AI clients for it (the URL is remembered)'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "logout" -d 'Forget an org\'s credentials and remove its token from the clients\' files'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "status" -d 'Show who you are, which org, token expiry, where the token is stored, and clients'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "sync" -d 'Re-fetch the org\'s configuration and re-apply it to the clients (for timers); approves nothing'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "approve" -d 'Review the programs the org\'s local MCP servers run (new or changed), approve them, and sync'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "trust" -d 'Let a project file (.ai-setup.json[c]) take effect, as it is now; or list or revoke trust'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "token" -d 'Print the current org token and nothing else (for client helpers and scripts)'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "clients" -d 'The supported clients: installed, configured, drift, and what cannot be configured'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "doctor" -d 'Check everything (endpoint, token, credential store, clients, files, PATH, clock) and say how to fix each problem'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "models" -d 'The models the org offers, with limits, prices and which clients can use each'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "usage" -d 'Your own usage of the org\'s models: totals, per model, per day, and your budget'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "dashboard" -d 'The dashboard: identity, clients, models, usage and MCP servers (the default on a terminal)'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "config" -d 'Show the resolved configuration and where each value comes from'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "mcp" -d 'MCP helpers that clients run: a stdio bridge to the org\'s remote MCP servers'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "exec" -d 'Run one of the org\'s local MCP servers with the org token in its environment'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "proxy" -d 'Forward model requests from clients that hold only a static key to the org, with the org token (loopback only; socket-activated by `service install`)'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "restore" -d 'List the backups ai-setup took before changing files, or restore one'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "service" -d 'Keep the clients fresh: run `ai-setup sync` periodically (systemd user timer, launchd agent)'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "serve" -d 'Run the reference org endpoint (PROTOCOL.md) from an org folder'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "demo" -d 'Run the whole login against a built-in demo org, in a sandbox home'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "generate" -d 'Write the shell completions and man pages into DIR (`dist/` holds the committed ones)'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "dev-token" -d 'Print a development token from an `ai-setup serve` endpoint (the demo org\'s login command)'
complete -c ai-setup -n "__fish_ai_setup_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l clients -d 'Clients to configure: a comma-separated list of ids, `all` (every client the org enables), or `installed` (those of them installed here); later runs without the flag, the timer\'s too, keep to the last one given [default: installed]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l credential-store -d 'Where to keep the token' -r -f -a "auto\t'The keyring, or the file with a warning when no keyring can be used'
keyring\t'The OS keyring, or an error'
file\t'A file readable by you alone (mode 0600): containers and CI'"
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l set -d 'Set a configuration key for the clients, above every other layer; VALUE is JSON or a string' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l client-id -d 'Log in as a service account (OAuth client credentials) with this client id' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l client-secret-env -d 'The environment variable that holds the service account\'s client secret' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l id-token-env -d 'Exchange the CI identity token in this environment variable for an org token (RFC 8693)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l token-env -d 'Take the token from this environment variable instead of running the login command' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -s y -l yes -d 'Accept the org\'s login command, and with `login` or `approve` its local servers\' programs, without asking (required without a terminal)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l dry-run -d 'Show what would change, as diffs, without changing anything'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l force -d 'Replace entries ai-setup wrote that were changed since (drift) with the org\'s'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l unattended -d 'Let `token` and `sync` re-run the org\'s login command, without asking, when the token runs out (for commands such as `cloudflared access token` that need no person while their own session lasts)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l no-browser -d 'Sign in on another device (OpenID Connect device flow) instead of a browser here; without a terminal, required to wait for someone to approve'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l github-actions -d 'Exchange this GitHub Actions job\'s OIDC token for an org token (needs `id-token: write`)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -l token-stdin -d 'Read the token from standard input instead of running the org\'s login command'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand logout" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand logout" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand logout" -l restore -d 'Also remove everything else ai-setup wrote into the clients\' files for this org'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand logout" -l dry-run -d 'Show what would change without changing anything'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand logout" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand logout" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand logout" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand status" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand status" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand status" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand status" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand status" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l clients -d 'Clients to configure: a comma-separated list of ids, `all` (every client the org enables), or `installed` (those of them installed here); later runs without the flag, the timer\'s too, keep to the last one given [default: installed]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l credential-store -d 'Where to keep the token' -r -f -a "auto\t'The keyring, or the file with a warning when no keyring can be used'
keyring\t'The OS keyring, or an error'
file\t'A file readable by you alone (mode 0600): containers and CI'"
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l set -d 'Set a configuration key for the clients, above every other layer; VALUE is JSON or a string' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l client-id -d 'Log in as a service account (OAuth client credentials) with this client id' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l client-secret-env -d 'The environment variable that holds the service account\'s client secret' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l id-token-env -d 'Exchange the CI identity token in this environment variable for an org token (RFC 8693)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l token-env -d 'Take the token from this environment variable instead of running the login command' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -s y -l yes -d 'Accept the org\'s login command, and with `login` or `approve` its local servers\' programs, without asking (required without a terminal)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l dry-run -d 'Show what would change, as diffs, without changing anything'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l force -d 'Replace entries ai-setup wrote that were changed since (drift) with the org\'s'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l unattended -d 'Let `token` and `sync` re-run the org\'s login command, without asking, when the token runs out (for commands such as `cloudflared access token` that need no person while their own session lasts)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l no-browser -d 'Sign in on another device (OpenID Connect device flow) instead of a browser here; without a terminal, required to wait for someone to approve'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l github-actions -d 'Exchange this GitHub Actions job\'s OIDC token for an org token (needs `id-token: write`)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -l token-stdin -d 'Read the token from standard input instead of running the org\'s login command'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l clients -d 'Clients to configure: a comma-separated list of ids, `all` (every client the org enables), or `installed` (those of them installed here); later runs without the flag, the timer\'s too, keep to the last one given [default: installed]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l credential-store -d 'Where to keep the token' -r -f -a "auto\t'The keyring, or the file with a warning when no keyring can be used'
keyring\t'The OS keyring, or an error'
file\t'A file readable by you alone (mode 0600): containers and CI'"
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l set -d 'Set a configuration key for the clients, above every other layer; VALUE is JSON or a string' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l client-id -d 'Log in as a service account (OAuth client credentials) with this client id' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l client-secret-env -d 'The environment variable that holds the service account\'s client secret' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l id-token-env -d 'Exchange the CI identity token in this environment variable for an org token (RFC 8693)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l token-env -d 'Take the token from this environment variable instead of running the login command' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -s y -l yes -d 'Accept the org\'s login command, and with `login` or `approve` its local servers\' programs, without asking (required without a terminal)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l dry-run -d 'Show what would change, as diffs, without changing anything'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l force -d 'Replace entries ai-setup wrote that were changed since (drift) with the org\'s'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l unattended -d 'Let `token` and `sync` re-run the org\'s login command, without asking, when the token runs out (for commands such as `cloudflared access token` that need no person while their own session lasts)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l no-browser -d 'Sign in on another device (OpenID Connect device flow) instead of a browser here; without a terminal, required to wait for someone to approve'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l github-actions -d 'Exchange this GitHub Actions job\'s OIDC token for an org token (needs `id-token: write`)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -l token-stdin -d 'Read the token from standard input instead of running the org\'s login command'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand trust" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand trust" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand trust" -l revoke -d 'Stop trusting it'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand trust" -l list -d 'List the trusted files and whether each is still as trusted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand trust" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand trust" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand trust" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand token" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand token" -l format -r -f -a "raw\t'The token alone'
header\t'`Authorization: Bearer <token>`'
headers\t'`{"Authorization": "Bearer <token>"}` (Claude Code\'s headersHelper)'
json\t'`{"token": …, "expires_at": …}`'"
complete -c ai-setup -n "__fish_ai_setup_using_subcommand token" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand token" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand token" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand clients" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand clients" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand clients" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand clients" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand clients" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand clients" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand doctor" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand doctor" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand doctor" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand doctor" -l json -d 'Print the checks as one JSON object (shape in README)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand doctor" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -s s -l search -d 'Only models whose id, name, provider or family contains TEXT (any case)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -l provider -d 'Only models of this provider id (e.g. anthropic)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -l all -d 'The whole catalog shipped with ai-setup, not only what the org offers (works logged out)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -l json -d 'Print one JSON object (shape in README)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand models" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -l days -d 'The last N days, today included' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -l from -d 'The first day (YYYY-MM-DD, UTC); overrides --days' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -l to -d 'The last day (YYYY-MM-DD, UTC) [default: today]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -l json -d 'Print the org\'s report as one JSON object (PROTOCOL.md §3)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand usage" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dashboard" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dashboard" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dashboard" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dashboard" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dashboard" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -f -a "show" -d 'The resolved configuration, each value with the layer and file that set it'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -f -a "explain" -d 'One key: its value, the layer and file that set it, what it overrode, whether it is locked'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -f -a "path" -d 'The files each layer is read from, and whether they exist'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and not __fish_seen_subcommand_from show explain path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -l org -d 'The org [default: the remembered org]; its layer is the last fetched document' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -l client -d 'Include the org\'s overlay for this client (`ai_setup.clients.<ID>`)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -l set -d 'Set a key for this command only (the highest layer); VALUE is JSON or a string' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -l org -d 'The org [default: the remembered org]; its layer is the last fetched document' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -l client -d 'Include the org\'s overlay for this client (`ai_setup.clients.<ID>`)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -l set -d 'Set a key for this command only (the highest layer); VALUE is JSON or a string' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -l org -d 'The org [default: the remembered org]; its layer is the last fetched document' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -l client -d 'Include the org\'s overlay for this client (`ai_setup.clients.<ID>`)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -l set -d 'Set a key for this command only (the highest layer); VALUE is JSON or a string' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'The resolved configuration, each value with the layer and file that set it'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "explain" -d 'One key: its value, the layer and file that set it, what it overrode, whether it is locked'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'The files each layer is read from, and whether they exist'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and not __fish_seen_subcommand_from bridge help" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and not __fish_seen_subcommand_from bridge help" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and not __fish_seen_subcommand_from bridge help" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and not __fish_seen_subcommand_from bridge help" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and not __fish_seen_subcommand_from bridge help" -f -a "bridge" -d 'A stdio MCP server forwarding to the org\'s remote server NAME with the current token'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and not __fish_seen_subcommand_from bridge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "bridge" -d 'A stdio MCP server forwarding to the org\'s remote server NAME with the current token'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand exec" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand exec" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand exec" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand exec" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand exec" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand proxy" -l listen -d 'Loopback address to listen on, unless systemd hands over a socket (`LISTEN_FDS`)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand proxy" -l org -d 'The org [default: the remembered org]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand proxy" -l idle-exit -d 'Exit after this many seconds without a request (socket activation starts it again)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand proxy" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand proxy" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand proxy" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand proxy" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand restore" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand restore" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand restore" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand restore" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand restore" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and not __fish_seen_subcommand_from install uninstall help" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and not __fish_seen_subcommand_from install uninstall help" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and not __fish_seen_subcommand_from install uninstall help" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and not __fish_seen_subcommand_from install uninstall help" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and not __fish_seen_subcommand_from install uninstall help" -f -a "install" -d 'Install and start the timer (systemd user units on Linux, a launchd agent on macOS)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and not __fish_seen_subcommand_from install uninstall help" -f -a "uninstall" -d 'Stop and remove it'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and not __fish_seen_subcommand_from install uninstall help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from install" -l interval -d 'How often to sync, e.g. 30m or 2h [default: the org\'s ai_setup.refresh, else 1h]' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from install" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from install" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from install" -l no-start -d 'Write the files but do not enable or start the timer'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from install" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l no-stop -d 'Remove the files without stopping the timer first'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from uninstall" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install and start the timer (systemd user units on Linux, a launchd agent on macOS)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Stop and remove it'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l org-dir -d 'The org folder: discovery.json, and optionally users.json [default: the built-in demo org]' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l listen -d 'Address to listen on (port 0 picks a free port)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l public-url -d 'The base URL to announce instead of the address requests arrive at (behind a proxy)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l token-ttl -d 'Lifetime of the development tokens it issues, in seconds' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l clock-offset -d 'Send a Date header this many seconds off the real time (to try `doctor`\'s clock check)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l record -d 'Append every model request to FILE, one JSON line each: path, API, model, the token\'s user (never the token), user agent, system prompt, tool names, the last user text' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand serve" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -l home -d 'The sandbox home to configure [default: a fresh folder in ai-setup\'s cache]' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -l keep-serving -d 'Keep the demo endpoint running afterwards, so you can run the clients against it'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -l no-dashboard -d 'Do not open the dashboard at the end (it opens only on a terminal anyway)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -l json -d 'Print the result as JSON on stdout'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand demo" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand generate" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand generate" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand generate" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand generate" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dev-token" -l user -d 'The user to issue the token for (default: the org\'s first user)' -r
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dev-token" -l log-file -d 'Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dev-token" -l ca-file -d 'Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login' -r -F
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dev-token" -s v -l verbose -d 'Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand dev-token" -s h -l help -d 'Print help'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "login" -d 'Sign in to an org and configure this machine\'s AI clients for it (the URL is remembered)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "logout" -d 'Forget an org\'s credentials and remove its token from the clients\' files'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "status" -d 'Show who you are, which org, token expiry, where the token is stored, and clients'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "sync" -d 'Re-fetch the org\'s configuration and re-apply it to the clients (for timers); approves nothing'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "approve" -d 'Review the programs the org\'s local MCP servers run (new or changed), approve them, and sync'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "trust" -d 'Let a project file (.ai-setup.json[c]) take effect, as it is now; or list or revoke trust'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "token" -d 'Print the current org token and nothing else (for client helpers and scripts)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "clients" -d 'The supported clients: installed, configured, drift, and what cannot be configured'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "doctor" -d 'Check everything (endpoint, token, credential store, clients, files, PATH, clock) and say how to fix each problem'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "models" -d 'The models the org offers, with limits, prices and which clients can use each'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "usage" -d 'Your own usage of the org\'s models: totals, per model, per day, and your budget'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "dashboard" -d 'The dashboard: identity, clients, models, usage and MCP servers (the default on a terminal)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "config" -d 'Show the resolved configuration and where each value comes from'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "mcp" -d 'MCP helpers that clients run: a stdio bridge to the org\'s remote MCP servers'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "exec" -d 'Run one of the org\'s local MCP servers with the org token in its environment'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "proxy" -d 'Forward model requests from clients that hold only a static key to the org, with the org token (loopback only; socket-activated by `service install`)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "restore" -d 'List the backups ai-setup took before changing files, or restore one'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "service" -d 'Keep the clients fresh: run `ai-setup sync` periodically (systemd user timer, launchd agent)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "serve" -d 'Run the reference org endpoint (PROTOCOL.md) from an org folder'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "demo" -d 'Run the whole login against a built-in demo org, in a sandbox home'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "generate" -d 'Write the shell completions and man pages into DIR (`dist/` holds the committed ones)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "dev-token" -d 'Print a development token from an `ai-setup serve` endpoint (the demo org\'s login command)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and not __fish_seen_subcommand_from login logout status sync approve trust token clients doctor models usage dashboard config mcp exec proxy restore service serve demo generate dev-token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'The resolved configuration, each value with the layer and file that set it'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "explain" -d 'One key: its value, the layer and file that set it, what it overrode, whether it is locked'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'The files each layer is read from, and whether they exist'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "bridge" -d 'A stdio MCP server forwarding to the org\'s remote server NAME with the current token'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "install" -d 'Install and start the timer (systemd user units on Linux, a launchd agent on macOS)'
complete -c ai-setup -n "__fish_ai_setup_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "uninstall" -d 'Stop and remove it'
