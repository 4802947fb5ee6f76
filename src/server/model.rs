//! A stand-in model behind the org's provider base URLs, so that the real clients can be run
//! end to end against `ai-setup serve`: a login is proven to work only when `claude -p`,
//! `codex exec` or `opencode run` gets an answer through the org with the org's token.
//!
//! `POST /{provider}/…` answers, by how the path ends, in the API the client speaks:
//! - `…/messages`: Anthropic Messages (Claude Code, OpenCode's `anthropic` provider);
//! - `…/responses`: OpenAI Responses (Codex, OpenCode's `openai` provider);
//! - `…/chat/completions`: OpenAI Chat Completions (OpenAI-compatible providers).
//!
//! Each answers as JSON or, when the request asks for `stream`, as server-sent events, with one
//! text reply: [`reply`], which names the model and repeats the start of the last user message,
//! so that a test can tell its own request's answer. The token is the org's development token,
//! as `Authorization: Bearer` or (Anthropic's) `x-api-key`; anything else is a 401.
//!
//! With `serve --record FILE`, every model request is appended to FILE as one JSON line: the
//! path, the API, the model, whether it streamed, the token's subject (never the token), the
//! client's user agent, its system prompt, the names of the tools it offered and the last user
//! text ([`Recorded`]). That is what tests assert on: what each client really sends.

use std::io::Write;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Server, error_response, random_token};

/// The APIs a client may speak to a provider base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    AnthropicMessages,
    OpenaiResponses,
    OpenaiChat,
    /// Gemini's `models/MODEL:generateContent` and `:streamGenerateContent` (the model is in
    /// the path, the key in `x-goog-api-key`).
    GeminiGenerate,
}

impl Api {
    fn of(path: &str) -> Option<Api> {
        let path = path.trim_end_matches('/');
        if path.ends_with(":generateContent") || path.ends_with(":streamGenerateContent") {
            Some(Api::GeminiGenerate)
        } else if path.ends_with("/messages") || path == "messages" {
            Some(Api::AnthropicMessages)
        } else if path.ends_with("/responses") || path == "responses" {
            Some(Api::OpenaiResponses)
        } else if path.ends_with("/chat/completions") || path == "chat/completions" {
            Some(Api::OpenaiChat)
        } else {
            None
        }
    }
}

/// One model request, as `--record` writes it.
#[derive(Debug, Serialize)]
pub struct Recorded {
    pub path: String,
    pub api: Api,
    pub model: String,
    pub stream: bool,
    /// The token's `sub` claim.
    pub user: String,
    pub user_agent: String,
    /// The client `ai-setup proxy` says the request came from (`x-ai-setup-client`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    pub system: String,
    pub tools: Vec<String>,
    /// Every description in the offered tools, one a line: where clients list their subagents
    /// (Codex's `spawn_agent`, OpenCode's `task`).
    pub tool_descriptions: String,
    pub last_user: String,
    /// Every user message's text, the client's own reminders included (Claude Code sends its
    /// memory files, CLAUDE.md and rules, there rather than in the system prompt).
    pub user_context: String,
    /// The text of the tool result the request ends with, if it does (see [`Turn`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_result: Option<String>,
    /// The tools the conversation has called so far, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub called: Vec<String>,
}

/// The words that make the stand-in model call a tool.
pub const TOOL_TRIGGER: &str = "whoami tool";

/// What the stand-in model answers: words, or a call of one of the tools it was offered.
///
/// Asked to use "the whoami tool" (in any of its APIs), it calls the offered tool whose name
/// ends in `whoami`, which is the org MCP servers' tool as each client names it
/// (`mcp__docs__whoami`, `docs_whoami`, or `whoami` in Codex's `mcp__docs` namespace). Given
/// a tool's result, it says what the tool answered.
/// So a test sees the whole round trip: the client runs the org's tool through `ai-setup mcp
/// bridge` and sends its result back.
///
/// Two harnesses need more of it:
/// - Droid defers MCP tools: they are only listed ("Deferred tools:") until the model loads
///   one with its `ToolSearch` (`select:NAME`), so that is called first;
/// - Cline takes every answer as a call of its `attempt_completion` tool (a plain text answer
///   is "a mistake" to it), so words go in that tool's `result`.
enum Turn {
    Text(String),
    Call(Call),
}

/// A call of the tool `name` with `input` as its arguments.
struct Call {
    name: String,
    input: Value,
}

impl Call {
    fn new(name: &str, input: Value) -> Self {
        Call {
            name: name.to_string(),
            input,
        }
    }

    /// The arguments as the OpenAI APIs carry them: JSON in a string.
    fn arguments(&self) -> String {
        self.input.to_string()
    }
}

/// The tool with which Droid loads a deferred tool's schema.
const TOOL_SEARCH: &str = "ToolSearch";
/// The tool with which Cline's model gives its answer.
const COMPLETION_TOOL: &str = "attempt_completion";

fn turn(recorded: &Recorded) -> Turn {
    let whoami = |name: &str| name.ends_with("whoami");
    let offered = recorded.tools.iter().find(|t| whoami(t));
    let called = recorded.called.iter().any(|t| whoami(t));
    let asked = recorded.last_user.contains(TOOL_TRIGGER)
        || (recorded.tool_result.is_some() && recorded.user_context.contains(TOOL_TRIGGER));
    let answer = match (&recorded.tool_result, offered) {
        (_, Some(tool)) if asked && !called => Turn::Call(Call::new(tool, json!({}))),
        (Some(result), _) => {
            let said: String = result.trim().chars().take(200).collect();
            Turn::Text(format!(
                "Stand-in model {} of the org endpoint here. The tool answered: {said}",
                recorded.model
            ))
        }
        (None, None) if asked => match deferred_whoami(recorded) {
            Some(name) => Turn::Call(Call::new(
                TOOL_SEARCH,
                json!({ "query": format!("select:{name}") }),
            )),
            None => Turn::Text(reply(&recorded.model, &recorded.last_user)),
        },
        _ => Turn::Text(reply(&recorded.model, &recorded.last_user)),
    };
    match answer {
        Turn::Text(text) if recorded.tools.iter().any(|t| t == COMPLETION_TOOL) => {
            Turn::Call(Call::new(COMPLETION_TOOL, json!({ "result": text })))
        }
        answer => answer,
    }
}

/// A whoami tool the client lists as deferred (Droid's "Deferred tools:" reminder, one name a
/// line), when the client offers its tool search.
fn deferred_whoami(recorded: &Recorded) -> Option<&str> {
    if !recorded.tools.iter().any(|t| t == TOOL_SEARCH) {
        return None;
    }
    let (_, list) = recorded.user_context.split_once("Deferred tools:")?;
    list.lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with('<'))
        .find(|line| line.ends_with("whoami"))
}

/// The text of the tool result a request ends with: the Anthropic Messages API's last user
/// message holding a `tool_result` block, a Responses `function_call_output` item, a Chat
/// Completions `tool` message, or a Gemini `functionResponse` part.
fn tool_result(api: Api, request: &Value) -> Option<String> {
    if api == Api::OpenaiChat {
        // What follows the last assistant message, when that one called a tool: its `tool`
        // messages, and any user message (Cline answers each call "result missing" and puts
        // the result in a user message, "[use_mcp_tool for …] Result:").
        let messages = request["messages"].as_array()?;
        let at = messages.iter().rposition(|m| m["role"] == "assistant")?;
        if messages[at]["tool_calls"]
            .as_array()
            .is_none_or(Vec::is_empty)
        {
            return None;
        }
        let texts: Vec<String> = messages[at + 1..]
            .iter()
            .map(|m| text_of(&m["content"]))
            .filter(|t| !t.is_empty())
            .collect();
        return Some(texts.join("\n"));
    }
    if api == Api::GeminiGenerate {
        let last = request["contents"].as_array()?.last()?;
        let part = last["parts"]
            .as_array()?
            .iter()
            .find(|p| p.get("functionResponse").is_some())?;
        return Some(part["functionResponse"]["response"].to_string());
    }
    if api == Api::OpenaiResponses {
        let last = request["input"].as_array()?.last()?;
        return (last["type"] == "function_call_output").then(|| match &last["output"] {
            Value::String(s) => s.clone(),
            other => text_of(other),
        });
    }
    if api != Api::AnthropicMessages {
        return None;
    }
    let last = request["messages"].as_array()?.last()?;
    let block = last["content"]
        .as_array()?
        .iter()
        .find(|b| b["type"] == "tool_result")?;
    Some(text_of(&block["content"]))
}

/// The names of the tools the assistant's turns called, in order.
fn called_tools(api: Api, request: &Value) -> Vec<String> {
    let items = |key: &str| request[key].as_array().into_iter().flatten();
    let names: Vec<&Value> = match api {
        Api::AnthropicMessages => items("messages")
            .filter(|m| m["role"] == "assistant")
            .flat_map(|m| m["content"].as_array().into_iter().flatten())
            .filter(|b| b["type"] == "tool_use")
            .map(|b| &b["name"])
            .collect(),
        Api::OpenaiChat => items("messages")
            .filter(|m| m["role"] == "assistant")
            .flat_map(|m| m["tool_calls"].as_array().into_iter().flatten())
            .map(|c| &c["function"]["name"])
            .collect(),
        Api::OpenaiResponses => items("input")
            .filter(|i| i["type"] == "function_call")
            .map(|i| &i["name"])
            .collect(),
        Api::GeminiGenerate => items("contents")
            .filter(|c| c["role"] == "model")
            .flat_map(|c| c["parts"].as_array().into_iter().flatten())
            .map(|p| &p["functionCall"]["name"])
            .collect(),
    };
    names
        .into_iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

/// The text every answer carries.
pub fn reply(model: &str, last_user: &str) -> String {
    let said: String = last_user.trim().chars().take(120).collect();
    format!("Stand-in model {model} of the org endpoint here. You said: {said}")
}

/// `POST /{provider}/{*rest}`.
pub(crate) async fn handle(
    State(server): State<Arc<Server>>,
    Path((provider, rest)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let path = format!("/{provider}/{rest}");
    let Some(api) = Api::of(&rest) else {
        return error_response(StatusCode::NOT_FOUND, &format!("no model API at {path}"));
    };
    let claims = match authorize(&server, &headers) {
        Ok(claims) => claims,
        Err(response) => return *response,
    };
    let request: Value = match serde_json::from_str(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return error_response(StatusCode::BAD_REQUEST, "the body is not a JSON object"),
    };
    let (model, stream) = match api {
        Api::GeminiGenerate => {
            let (model, verb) = rest.rsplit_once(':').unwrap_or_default();
            let model = model.rsplit('/').next().unwrap_or_default();
            (model.to_string(), verb == "streamGenerateContent")
        }
        _ => (
            request["model"].as_str().unwrap_or_default().to_string(),
            request["stream"].as_bool().unwrap_or(false),
        ),
    };
    let recorded = Recorded {
        path,
        api,
        model,
        stream,
        user: claims["sub"].as_str().unwrap_or_default().to_string(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        client: headers
            .get(crate::proxy::CLIENT_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        system: system_prompt(api, &request),
        tools: tool_names(api, &request),
        tool_descriptions: descriptions(&request["tools"]).join("\n"),
        last_user: last_user_text(api, &request),
        user_context: user_text(api, &request),
        tool_result: tool_result(api, &request),
        called: called_tools(api, &request),
    };
    if let Some(file) = &server.options.record {
        let mut line = serde_json::to_vec(&recorded).expect("serialises");
        line.push(b'\n');
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .and_then(|mut f| f.write_all(&line));
        if let Err(e) = appended {
            tracing::warn!(file = %file.display(), "cannot record a model request: {e}");
        }
    }
    let text = match turn(&recorded) {
        Turn::Text(text) => text,
        Turn::Call(call) => {
            let usage = Usage {
                input: (body.len() / 4).max(1),
                output: 1,
            };
            let model = recorded.model.as_str();
            return match (api, recorded.stream) {
                (Api::OpenaiResponses, false) => {
                    json_response(responses_object(model, responses_call(&call), usage))
                }
                (Api::OpenaiResponses, true) => {
                    sse(responses_call_events(model, &call, usage), false)
                }
                (Api::OpenaiChat, false) => json_response(chat_call(model, &call, usage)),
                (Api::OpenaiChat, true) => sse(chat_call_chunks(model, &call, usage), true),
                (Api::GeminiGenerate, false) => json_response(gemini_call(model, &call, usage)),
                (Api::GeminiGenerate, true) => {
                    sse(vec![("", gemini_call(model, &call, usage))], false)
                }
                (_, false) => json_response(anthropic_call(model, &call, usage)),
                (_, true) => sse(anthropic_call_events(model, &call, usage), false),
            };
        }
    };
    let tokens = Usage {
        input: (body.len() / 4).max(1),
        output: text.split_whitespace().count(),
    };
    let model = recorded.model.as_str();
    match (api, recorded.stream) {
        (Api::AnthropicMessages, false) => json_response(anthropic_message(model, &text, tokens)),
        (Api::AnthropicMessages, true) => sse(anthropic_events(model, &text, tokens), false),
        (Api::OpenaiResponses, false) => {
            json_response(responses_object(model, responses_text(&text), tokens))
        }
        (Api::OpenaiResponses, true) => sse(responses_events(model, &text, tokens), false),
        (Api::OpenaiChat, false) => json_response(chat_completion(model, &text, tokens)),
        (Api::OpenaiChat, true) => sse(chat_chunks(model, &text, tokens), true),
        (Api::GeminiGenerate, false) => json_response(gemini_response(model, &text, tokens)),
        // `alt=sse`: data lines of the same shape, the text in one chunk.
        (Api::GeminiGenerate, true) => {
            sse(vec![("", gemini_response(model, &text, tokens))], false)
        }
    }
}

/// The org token as a bearer token or, as Anthropic's and Gemini's clients send it,
/// `x-api-key` or `x-goog-api-key`.
fn authorize(server: &Server, headers: &HeaderMap) -> Result<Value, Box<Response>> {
    let api_key = headers
        .get("x-api-key")
        .or_else(|| headers.get("x-goog-api-key"))
        .and_then(|v| v.to_str().ok());
    match api_key.and_then(|key| server.verify(key)) {
        Some(claims) => Ok(claims),
        None => super::authorize(server, headers),
    }
}

#[derive(Clone, Copy)]
struct Usage {
    input: usize,
    output: usize,
}

fn json_response(body: Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Server-sent events: `(event name, data)` pairs; Chat Completions names no events and ends
/// with `data: [DONE]`.
fn sse(events: Vec<(&'static str, Value)>, done: bool) -> Response {
    let mut body = String::new();
    for (name, data) in events {
        if !name.is_empty() {
            body.push_str(&format!("event: {name}\n"));
        }
        body.push_str(&format!("data: {data}\n\n"));
    }
    if done {
        body.push_str("data: [DONE]\n\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Text of a message `content`: a string, or the `text` of its text parts.
fn text_of(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn system_prompt(api: Api, request: &Value) -> String {
    let from_roles = |items: &Value| {
        items
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| matches!(m["role"].as_str(), Some("system" | "developer")))
            .map(|m| text_of(&m["content"]))
            .collect::<Vec<_>>()
    };
    let parts = match api {
        Api::AnthropicMessages => vec![text_of(&request["system"])],
        Api::OpenaiResponses => {
            let mut parts: Vec<String> = request["instructions"]
                .as_str()
                .map(str::to_string)
                .into_iter()
                .collect();
            parts.extend(from_roles(&request["input"]));
            parts
        }
        Api::OpenaiChat => from_roles(&request["messages"]),
        Api::GeminiGenerate => vec![text_of(&request["systemInstruction"]["parts"])],
    };
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of the tools offered. A Responses namespace (Codex's MCP servers, `mcp__docs`)
/// is named, and so is each tool in it, as `NAMESPACE__TOOL`.
fn tool_names(api: Api, request: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for tool in request["tools"].as_array().into_iter().flatten() {
        if api == Api::GeminiGenerate {
            let declared = tool["functionDeclarations"]
                .as_array()
                .into_iter()
                .flatten();
            names.extend(
                declared
                    .filter_map(|f| f["name"].as_str())
                    .map(str::to_string),
            );
            continue;
        }
        let name = match api {
            Api::OpenaiChat => tool["function"]["name"].as_str(),
            _ => tool["name"].as_str().or(tool["type"].as_str()),
        };
        let Some(name) = name else { continue };
        names.push(name.to_string());
        if tool["type"] == "namespace" {
            let inner = tool["tools"].as_array().into_iter().flatten();
            names.extend(
                inner
                    .filter_map(|t| t["name"].as_str())
                    .map(|t| format!("{name}__{t}")),
            );
        }
    }
    names
}

/// Every `description` string in `value`, depth first.
fn descriptions(value: &Value) -> Vec<&str> {
    match value {
        Value::Object(map) => map
            .get("description")
            .and_then(Value::as_str)
            .into_iter()
            .chain(map.values().flat_map(descriptions))
            .collect(),
        Value::Array(items) => items.iter().flat_map(descriptions).collect(),
        _ => Vec::new(),
    }
}

/// The text of each user message, in order (a Responses request's plain-string input is one).
fn user_messages(api: Api, request: &Value) -> Vec<String> {
    if api == Api::GeminiGenerate {
        let contents = request["contents"].as_array().into_iter().flatten();
        return contents
            .filter(|c| c["role"] == "user")
            .map(|c| text_of(&c["parts"]))
            .filter(|t| !t.is_empty())
            .collect();
    }
    let items = match api {
        Api::OpenaiResponses => match &request["input"] {
            Value::String(s) => return vec![s.clone()],
            input => input,
        },
        _ => &request["messages"],
    };
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == "user")
        .map(|m| text_of(&m["content"]))
        .collect()
}

fn user_text(api: Api, request: &Value) -> String {
    user_messages(api, request).join("\n")
}

fn last_user_text(api: Api, request: &Value) -> String {
    user_messages(api, request)
        .into_iter()
        .rev()
        .map(|t| without_harness_blocks(&t))
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

/// A user message without what the clients' harnesses add around the user's words: Claude
/// Code's `<system-reminder>`s, Gemini CLI's `<session_context>`, Copilot CLI's
/// `<current_datetime>` and `<system_reminder>` (one left open runs to the end). Cline puts
/// the user's words in a `<task>` and its own sections after it: the task is what was said.
fn without_harness_blocks(text: &str) -> String {
    if let Some((_, rest)) = text.split_once("<task>")
        && let Some((task, _)) = rest.split_once("</task>")
    {
        return task.trim().to_string();
    }
    let mut text = text.to_string();
    for tag in [
        "system-reminder",
        "system_reminder",
        "session_context",
        "current_datetime",
    ] {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        while let Some(start) = text.find(&open) {
            let end = text[start..]
                .find(&close)
                .map_or(text.len(), |i| start + i + close.len());
            text.replace_range(start..end, "");
        }
    }
    text.trim().to_string()
}

fn anthropic_message(model: &str, text: &str, usage: Usage) -> Value {
    json!({
        "id": format!("msg_{}", random_token()),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": null,
        "usage": {"input_tokens": usage.input, "output_tokens": usage.output},
    })
}

fn anthropic_events(model: &str, text: &str, usage: Usage) -> Vec<(&'static str, Value)> {
    let mut start = anthropic_message(model, "", usage);
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    start["usage"]["output_tokens"] = json!(1);
    vec![
        (
            "message_start",
            json!({"type": "message_start", "message": start}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "text", "text": ""}}),
        ),
        ("ping", json!({"type": "ping"})),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": text}}),
        ),
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        (
            "message_delta",
            json!({"type": "message_delta",
                   "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                   "usage": {"output_tokens": usage.output}}),
        ),
        ("message_stop", json!({"type": "message_stop"})),
    ]
}

fn gemini_usage(usage: Usage) -> Value {
    json!({"promptTokenCount": usage.input, "candidatesTokenCount": usage.output,
           "totalTokenCount": usage.input + usage.output})
}

fn gemini_response(model: &str, text: &str, usage: Usage) -> Value {
    json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": "STOP", "index": 0}],
        "usageMetadata": gemini_usage(usage),
        "modelVersion": model,
    })
}

fn gemini_call(model: &str, call: &Call, usage: Usage) -> Value {
    json!({
        "candidates": [{"content": {"role": "model",
                                    "parts": [{"functionCall": {"name": call.name, "args": call.input}}]},
                        "finishReason": "STOP", "index": 0}],
        "usageMetadata": gemini_usage(usage),
        "modelVersion": model,
    })
}

/// A message that makes `call`.
fn anthropic_call(model: &str, call: &Call, usage: Usage) -> Value {
    let mut message = anthropic_message(model, "", usage);
    message["content"] = json!([{"type": "tool_use", "id": format!("toolu_{}", random_token()),
                                 "name": call.name, "input": call.input}]);
    message["stop_reason"] = json!("tool_use");
    message
}

fn anthropic_call_events(model: &str, call: &Call, usage: Usage) -> Vec<(&'static str, Value)> {
    let mut start = anthropic_message(model, "", usage);
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    vec![
        (
            "message_start",
            json!({"type": "message_start", "message": start}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "tool_use", "id": format!("toolu_{}", random_token()),
                                     "name": call.name, "input": {}}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "input_json_delta", "partial_json": call.arguments()}}),
        ),
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        (
            "message_delta",
            json!({"type": "message_delta",
                   "delta": {"stop_reason": "tool_use", "stop_sequence": null},
                   "usage": {"output_tokens": usage.output}}),
        ),
        ("message_stop", json!({"type": "message_stop"})),
    ]
}

fn responses_item(id: &str, text: &str, status: &str) -> Value {
    let content = match status {
        "completed" => json!([{"type": "output_text", "text": text, "annotations": []}]),
        _ => json!([]),
    };
    json!({"id": id, "type": "message", "role": "assistant", "status": status, "content": content})
}

fn responses_text(text: &str) -> Value {
    responses_item(&format!("msg_{}", random_token()), text, "completed")
}

/// A `call`; a namespaced tool (`mcp__docs__whoami`) names its namespace, as Codex offers MCP
/// tools.
fn responses_call(call: &Call) -> Value {
    let (namespace, name) = match call.name.rsplit_once("__") {
        Some((namespace, name)) if namespace.starts_with("mcp__") => (Some(namespace), name),
        _ => (None, call.name.as_str()),
    };
    let mut item = json!({
        "id": format!("fc_{}", random_token()),
        "type": "function_call",
        "status": "completed",
        "call_id": format!("call_{}", random_token()),
        "name": name,
        "arguments": call.arguments(),
    });
    if let Some(namespace) = namespace {
        item["namespace"] = json!(namespace);
    }
    item
}

fn responses_call_events(model: &str, call: &Call, usage: Usage) -> Vec<(&'static str, Value)> {
    let done = responses_object(model, responses_call(call), usage);
    let item = done["output"][0].clone();
    let mut added = item.clone();
    added["status"] = json!("in_progress");
    added["arguments"] = json!("");
    let mut started = done.clone();
    started["status"] = json!("in_progress");
    started["output"] = json!([]);
    started["usage"] = Value::Null;
    numbered(vec![
        (
            "response.created",
            json!({"type": "response.created", "response": started}),
        ),
        (
            "response.output_item.added",
            json!({"type": "response.output_item.added", "output_index": 0, "item": added}),
        ),
        (
            "response.function_call_arguments.delta",
            json!({"type": "response.function_call_arguments.delta", "item_id": item["id"],
                   "output_index": 0, "delta": call.arguments()}),
        ),
        (
            "response.function_call_arguments.done",
            json!({"type": "response.function_call_arguments.done", "item_id": item["id"],
                   "output_index": 0, "arguments": call.arguments()}),
        ),
        (
            "response.output_item.done",
            json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
        ),
        (
            "response.completed",
            json!({"type": "response.completed", "response": done}),
        ),
    ])
}

/// Events with their `sequence_number`s.
fn numbered(events: Vec<(&'static str, Value)>) -> Vec<(&'static str, Value)> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, (name, mut data))| {
            data["sequence_number"] = json!(i);
            (name, data)
        })
        .collect()
}

fn responses_object(model: &str, output: Value, usage: Usage) -> Value {
    json!({
        "id": format!("resp_{}", random_token()),
        "object": "response",
        "created_at": crate::now_unix(),
        "status": "completed",
        "model": model,
        "output": [output],
        "usage": {
            "input_tokens": usage.input,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": usage.output,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": usage.input + usage.output,
        },
    })
}

fn responses_events(model: &str, text: &str, usage: Usage) -> Vec<(&'static str, Value)> {
    let done = responses_object(model, responses_text(text), usage);
    let item = done["output"][0].clone();
    let item_id = item["id"].as_str().unwrap_or_default().to_string();
    let mut started = done.clone();
    started["status"] = json!("in_progress");
    started["output"] = json!([]);
    started["usage"] = Value::Null;
    let events = vec![
        (
            "response.created",
            json!({"type": "response.created", "response": started}),
        ),
        (
            "response.output_item.added",
            json!({"type": "response.output_item.added", "output_index": 0,
                   "item": responses_item(&item_id, "", "in_progress")}),
        ),
        (
            "response.content_part.added",
            json!({"type": "response.content_part.added", "item_id": item_id,
                   "output_index": 0, "content_index": 0,
                   "part": {"type": "output_text", "text": "", "annotations": []}}),
        ),
        (
            "response.output_text.delta",
            json!({"type": "response.output_text.delta", "item_id": item_id,
                   "output_index": 0, "content_index": 0, "delta": text}),
        ),
        (
            "response.output_text.done",
            json!({"type": "response.output_text.done", "item_id": item_id,
                   "output_index": 0, "content_index": 0, "text": text}),
        ),
        (
            "response.content_part.done",
            json!({"type": "response.content_part.done", "item_id": item_id,
                   "output_index": 0, "content_index": 0,
                   "part": {"type": "output_text", "text": text, "annotations": []}}),
        ),
        (
            "response.output_item.done",
            json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
        ),
        (
            "response.completed",
            json!({"type": "response.completed", "response": done}),
        ),
    ];
    numbered(events)
}

fn chat_completion(model: &str, text: &str, usage: Usage) -> Value {
    json!({
        "id": format!("chatcmpl-{}", random_token()),
        "object": "chat.completion",
        "created": crate::now_unix(),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": usage.input, "completion_tokens": usage.output,
                  "total_tokens": usage.input + usage.output},
    })
}

/// A Chat Completions `call`.
fn chat_call(model: &str, call: &Call, usage: Usage) -> Value {
    let mut completion = chat_completion(model, "", usage);
    completion["choices"][0] = json!({
        "index": 0,
        "message": {"role": "assistant", "content": null, "tool_calls": [chat_tool_call(call)]},
        "finish_reason": "tool_calls",
    });
    completion
}

fn chat_tool_call(call: &Call) -> Value {
    json!({"id": format!("call_{}", random_token()), "type": "function",
           "function": {"name": call.name, "arguments": call.arguments()}})
}

/// The same call streamed: the call in one delta (with its index, as streamed calls carry),
/// then the finish reason and the usage.
fn chat_call_chunks(model: &str, call: &Call, usage: Usage) -> Vec<(&'static str, Value)> {
    let mut tool_call = chat_tool_call(call);
    tool_call["index"] = json!(0);
    let mut chunks = chat_chunks(model, "", usage);
    chunks[0].1["choices"][0]["delta"] =
        json!({"role": "assistant", "content": null, "tool_calls": [tool_call]});
    chunks[1].1["choices"][0]["finish_reason"] = json!("tool_calls");
    chunks
}

fn chat_chunks(model: &str, text: &str, usage: Usage) -> Vec<(&'static str, Value)> {
    let id = format!("chatcmpl-{}", random_token());
    let chunk = |delta: Value, finish: Value| {
        json!({"id": id, "object": "chat.completion.chunk", "created": crate::now_unix(),
               "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let mut last = chunk(json!({}), json!("stop"));
    last["usage"] = chat_completion(model, text, usage)["usage"].clone();
    vec![
        (
            "",
            chunk(json!({"role": "assistant", "content": text}), Value::Null),
        ),
        ("", last),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_is_told_by_how_the_path_ends() {
        assert_eq!(Api::of("v1/messages"), Some(Api::AnthropicMessages));
        assert_eq!(Api::of("messages"), Some(Api::AnthropicMessages));
        assert_eq!(Api::of("v1/responses"), Some(Api::OpenaiResponses));
        assert_eq!(Api::of("v1/chat/completions"), Some(Api::OpenaiChat));
        assert_eq!(
            Api::of("v1beta/models/gemini-2.5-pro:streamGenerateContent"),
            Some(Api::GeminiGenerate)
        );
        assert_eq!(Api::of("v1/messages/count_tokens"), None);
        assert_eq!(Api::of("v1/models"), None);
    }

    #[test]
    fn system_tools_and_the_users_words_are_read_in_each_api() {
        let anthropic = json!({
            "system": [{"type": "text", "text": "be brief"}],
            "tools": [{"name": "Bash"}, {"name": "mcp__docs__whoami"}],
            "messages": [
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": "ok"},
                {"role": "user", "content": [{"type": "text", "text": "<system-reminder>\nctx\n</system-reminder>\n\nsecond"}]},
            ],
        });
        assert_eq!(
            system_prompt(Api::AnthropicMessages, &anthropic),
            "be brief"
        );
        assert_eq!(
            tool_names(Api::AnthropicMessages, &anthropic),
            ["Bash", "mcp__docs__whoami"]
        );
        assert_eq!(last_user_text(Api::AnthropicMessages, &anthropic), "second");

        let responses = json!({
            "instructions": "you are codex",
            "tools": [{"type": "function", "name": "shell"}, {"type": "web_search"}],
            "input": [
                {"role": "developer", "content": [{"type": "input_text", "text": "rules"}]},
                {"role": "user", "content": [{"type": "input_text", "text": "hello"}]},
            ],
        });
        assert_eq!(
            system_prompt(Api::OpenaiResponses, &responses),
            "you are codex\nrules"
        );
        assert_eq!(
            tool_names(Api::OpenaiResponses, &responses),
            ["shell", "web_search"]
        );
        assert_eq!(last_user_text(Api::OpenaiResponses, &responses), "hello");

        let chat = json!({
            "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "read"}}],
        });
        assert_eq!(system_prompt(Api::OpenaiChat, &chat), "sys");
        assert_eq!(tool_names(Api::OpenaiChat, &chat), ["read"]);
        assert_eq!(last_user_text(Api::OpenaiChat, &chat), "hi");
        assert_eq!(tool_result(Api::OpenaiChat, &chat), None);
        let answered = json!({"messages": [
            {"role": "user", "content": "use the whoami tool"},
            {"role": "assistant", "content": null, "tool_calls": [chat_tool_call(&Call::new("docs_whoami", json!({})))]},
            {"role": "tool", "tool_call_id": "call_1", "content": "dev@demo.example"},
        ]});
        assert_eq!(
            tool_result(Api::OpenaiChat, &answered).as_deref(),
            Some("dev@demo.example")
        );

        let gemini = json!({
            "systemInstruction": {"parts": [{"text": "you are gemini"}]},
            "tools": [{"functionDeclarations": [{"name": "run_shell_command"}, {"name": "whoami"}]}],
            "contents": [
                {"role": "user", "parts": [{"text": "hi"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "whoami", "args": {}}}]},
                {"role": "user", "parts": [{"functionResponse": {"name": "whoami", "response": {"output": "dev"}}}]},
            ],
        });
        assert_eq!(
            system_prompt(Api::GeminiGenerate, &gemini),
            "you are gemini"
        );
        assert_eq!(
            tool_names(Api::GeminiGenerate, &gemini),
            ["run_shell_command", "whoami"]
        );
        assert_eq!(last_user_text(Api::GeminiGenerate, &gemini), "hi");
        assert_eq!(
            tool_result(Api::GeminiGenerate, &gemini).as_deref(),
            Some(r#"{"output":"dev"}"#)
        );
    }

    #[test]
    fn a_streamed_answer_carries_the_same_text_as_a_whole_one() {
        let usage = Usage {
            input: 3,
            output: 4,
        };
        let text = reply("m", "hello there");
        let whole = anthropic_message("m", &text, usage);
        assert_eq!(whole["content"][0]["text"], text);
        let streamed: String = anthropic_events("m", &text, usage)
            .iter()
            .filter_map(|(_, e)| e["delta"]["text"].as_str())
            .collect();
        assert_eq!(streamed, text);
        let responses = responses_events("m", &text, usage);
        assert_eq!(
            responses.last().unwrap().1["response"]["output"][0]["content"][0]["text"],
            text
        );
        let chat: String = chat_chunks("m", &text, usage)
            .iter()
            .filter_map(|(_, c)| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(chat, text);
    }

    #[test]
    fn a_chat_completions_tool_call_names_the_tool_whole_or_streamed() {
        let usage = Usage {
            input: 3,
            output: 1,
        };
        let call = Call::new("docs_whoami", json!({"who": "me"}));
        let whole = chat_call("m", &call, usage);
        assert_eq!(whole["choices"][0]["finish_reason"], "tool_calls");
        let made = &whole["choices"][0]["message"]["tool_calls"][0];
        assert_eq!(made["function"]["name"], "docs_whoami");
        assert_eq!(made["function"]["arguments"], r#"{"who":"me"}"#);
        let chunks = chat_call_chunks("m", &call, usage);
        let delta = &chunks[0].1["choices"][0]["delta"]["tool_calls"][0];
        assert_eq!(delta["index"], 0);
        assert_eq!(delta["function"]["name"], "docs_whoami");
        assert_eq!(chunks[1].1["choices"][0]["finish_reason"], "tool_calls");
        assert!(chunks[1].1["usage"]["total_tokens"].is_number());
    }

    /// A request of `api` as the stand-in model reads it.
    fn read(api: Api, request: Value) -> Recorded {
        Recorded {
            path: String::new(),
            api,
            model: "m".into(),
            stream: false,
            user: String::new(),
            user_agent: String::new(),
            client: None,
            system: system_prompt(api, &request),
            tools: tool_names(api, &request),
            tool_descriptions: String::new(),
            last_user: last_user_text(api, &request),
            user_context: user_text(api, &request),
            tool_result: tool_result(api, &request),
            called: called_tools(api, &request),
        }
    }

    fn called(turn: Turn) -> (String, Value) {
        match turn {
            Turn::Call(call) => (call.name, call.input),
            Turn::Text(text) => panic!("answered in words: {text}"),
        }
    }

    /// Droid lists MCP tools as deferred: the tool search loads the whoami one, which is then
    /// called, and its result (not the search's) is what the answer quotes.
    #[test]
    fn a_deferred_tool_is_loaded_with_the_tool_search_then_called() {
        let asked = json!({"role": "user", "content": [
            {"type": "text", "text": "<system-reminder>Deferred tools:\nWebSearch\ndocs___whoami\n</system-reminder>"},
            {"type": "text", "text": "Please use the whoami tool"}]});
        let first = read(
            Api::AnthropicMessages,
            json!({"tools": [{"name": "Read"}, {"name": "ToolSearch"}], "messages": [asked]}),
        );
        assert_eq!(
            called(turn(&first)),
            (
                "ToolSearch".into(),
                json!({"query": "select:docs___whoami"})
            )
        );
        let search = json!({"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "ToolSearch", "input": {}}]});
        let loaded = json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "Loaded docs___whoami"}]});
        let tools = json!([{"name": "ToolSearch"}, {"name": "docs___whoami"}]);
        let second = read(
            Api::AnthropicMessages,
            json!({"tools": tools, "messages": [asked, search, loaded]}),
        );
        assert_eq!(called(turn(&second)).0, "docs___whoami");
        let call = json!({"role": "assistant", "content": [{"type": "tool_use", "id": "t2", "name": "docs___whoami", "input": {}}]});
        let result = json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t2", "content": "dev@demo.example"}]});
        let third = read(
            Api::AnthropicMessages,
            json!({"tools": tools, "messages": [asked, search, loaded, call, result]}),
        );
        match turn(&third) {
            Turn::Text(text) => assert!(
                text.ends_with("The tool answered: dev@demo.example"),
                "{text}"
            ),
            Turn::Call(call) => panic!("called {} again", call.name),
        }
        // Not asked for the tool: words, even with a deferred one listed.
        let plain = read(
            Api::AnthropicMessages,
            json!({"tools": [{"name": "ToolSearch"}], "messages": [{"role": "user", "content": "hello"}]}),
        );
        assert!(matches!(turn(&plain), Turn::Text(_)));
    }

    /// Cline: the user's words are its `<task>`, every answer is an `attempt_completion`, and a
    /// tool's result comes back as a user message after a "result missing" tool message.
    #[test]
    fn cline_is_answered_through_its_completion_tool() {
        let tools = json!([
            {"type": "function", "function": {"name": "attempt_completion"}},
            {"type": "function", "function": {"name": "c1mcp0whoami"}}]);
        let task = json!({"role": "user", "content": [
            {"type": "text", "text": "<task>\nhello there\n</task>"},
            {"type": "text", "text": "# task_progress RECOMMENDED"}]});
        let hello = read(Api::OpenaiChat, json!({"tools": tools, "messages": [task]}));
        assert_eq!(
            called(turn(&hello)),
            (
                "attempt_completion".into(),
                json!({"result": reply("m", "hello there")})
            )
        );
        let asked = json!({"role": "user", "content": "<task>Please use the whoami tool</task>"});
        let first = read(
            Api::OpenaiChat,
            json!({"tools": tools, "messages": [asked]}),
        );
        assert_eq!(called(turn(&first)).0, "c1mcp0whoami");
        let call = json!({"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function", "function": {"name": "c1mcp0whoami", "arguments": "{}"}}]});
        let missing = json!({"role": "tool", "tool_call_id": "c", "content": "result missing"});
        let result = json!({"role": "user", "content": "[use_mcp_tool for 'docs'] Result:\ndev@demo.example"});
        let answered = read(
            Api::OpenaiChat,
            json!({"tools": tools, "messages": [asked, call, missing, result]}),
        );
        let (name, input) = called(turn(&answered));
        assert_eq!(name, "attempt_completion");
        let said = input["result"].as_str().unwrap();
        assert!(
            said.contains("The tool answered:") && said.contains("dev@demo.example"),
            "{said}"
        );
        // After an answer in words, a new message is not a tool's result.
        let words = json!({"role": "assistant", "content": "done"});
        let again = read(
            Api::OpenaiChat,
            json!({"messages": [asked, call, missing, result, words, {"role": "user", "content": "thanks"}]}),
        );
        assert_eq!(again.tool_result, None);
    }
}
