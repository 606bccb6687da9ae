"""Formats: one raw row -> one `Record`, whatever the dataset's layout.

Detection is per record, by the keys that define each format, so a file that mixes formats is seen as such.
Normalisation is lenient: a field of the wrong type does not stop it, it is noted in `record.type_errors` for
the wrong-type rule, and keys a format does not define are noted in `record.unexpected_keys`. Field paths are
written in the input's own terms (`conversations[3].value`), so findings point where the user can look.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dslint.records import Location, Message, Record

CANONICAL_ROLES = frozenset({"system", "user", "assistant", "tool"})

#: Role names each format uses, mapped to the canonical roles. Users extend this with `role-map` in config.
OPENAI_ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    "function": "tool",
}
SHAREGPT_ROLES = {
    "system": "system",
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bing": "assistant",
    "bard": "assistant",
    "function_call": "assistant",
    "observation": "tool",
    "tool": "tool",
    "function": "tool",
}
#: ShareGPT roles whose turn is a tool call made by the assistant (its content is the call, not prose).
SHAREGPT_TOOL_CALL_ROLES = frozenset({"function_call"})

#: The keys each format defines; others are reported (at info level) by the unexpected-key rule.
COMMON_KEYS = frozenset({"id", "split", "metadata", "meta", "source", "dslint_augmented"})
ALLOWED_KEYS = {
    "openai-chat": COMMON_KEYS | {"messages", "system", "tools", "functions", "parallel_tool_calls"},
    "sharegpt": COMMON_KEYS | {"conversations", "system", "tools", "images", "videos", "audios"},
    "alpaca": COMMON_KEYS | {"instruction", "input", "output", "system", "history"},
    "prompt-completion": COMMON_KEYS | {"prompt", "completion"},
    "classification": COMMON_KEYS | {"text", "label"},
    "text": COMMON_KEYS | {"text", "url", "timestamp", "title"},
}
OPENAI_MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "tool_calls", "tool_call_id", "function_call", "weight", "refusal"}
)
SHAREGPT_TURN_KEYS = frozenset({"from", "value", "weight", "name"})

FORMATS = (*ALLOWED_KEYS, "unknown")


def detect_format(row: Mapping[str, Any]) -> str:
    """The format of one row, by the keys that define it (first match wins)."""
    if "messages" in row:
        return "openai-chat"
    if "conversations" in row:
        return "sharegpt"
    if "instruction" in row and "output" in row:
        return "alpaca"
    if "prompt" in row and "completion" in row:
        return "prompt-completion"
    if "text" in row:
        return "classification" if "label" in row else "text"
    return "unknown"


def json_type(value: Any) -> str:
    """A value's type in JSON's terms ("an object", "an array", "a number"...), for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string" if isinstance(value, str) else type(value).__name__


def _role(turn: dict[str, Any], key: str, path: str, record: Record) -> str:
    """The turn's role string; a missing or non-string role is a type error and reads as ""."""
    if key not in turn:
        record.type_errors.append((f"{path}.{key}", "a string", "missing"))
        return ""
    role = turn[key]
    if not isinstance(role, str):
        record.type_errors.append((f"{path}.{key}", "a string", json_type(role)))
        return ""
    return role


#: `messages[i]` and its `.content` and `.role` field paths for the first turns, built once: formatting three
#: strings per turn of every record costs more than the rest of normalising the turn.
_OPENAI_PATHS = [(f"messages[{i}]", f"messages[{i}].content", f"messages[{i}].role") for i in range(64)]


def _openai_paths(i: int) -> tuple[str, str, str]:
    """The field paths of OpenAI turn `i`: the turn, its content, its role."""
    if i < len(_OPENAI_PATHS):
        return _OPENAI_PATHS[i]
    path = f"messages[{i}]"
    return path, f"{path}.content", f"{path}.role"


class Normaliser:
    """Turns raw rows into Records; holds the role maps (built-in plus the user's `role-map`)."""

    def __init__(self, role_map: Mapping[str, str] | None = None) -> None:
        extra = dict(role_map or {})
        self.openai_roles = {**OPENAI_ROLES, **extra}
        self.sharegpt_roles = {**SHAREGPT_ROLES, **extra}

    def normalise(self, value: Any, location: Location) -> Record:
        if not isinstance(value, dict):
            return Record("unknown", [], value, location)
        fmt = detect_format(value)
        record = Record(fmt, [], value, location)
        if fmt == "openai-chat":
            self._openai(record, value)
        elif fmt == "sharegpt":
            self._sharegpt(record, value)
        elif fmt == "alpaca":
            self._alpaca(record, value)
        elif fmt == "prompt-completion":
            self._text_fields(record, value, (("prompt", "user"), ("completion", "assistant")))
        elif fmt == "classification":
            self._text_fields(record, value, (("text", "user"),))
            record.label = value["label"]
            record.label_field = "label"
        elif fmt == "text":
            self._text_fields(record, value, (("text", "text"),))
        if fmt != "unknown":
            allowed = ALLOWED_KEYS[fmt]
            if not value.keys() <= allowed:  # one C-level test; most rows hold only their format's keys
                record.unexpected_keys[:0] = [k for k in value if k not in allowed]
        return record

    # -- formats ---------------------------------------------------------------------------------------

    def _system_field(self, record: Record, value: dict[str, Any]) -> None:
        system = value.get("system")
        if system is None:
            return
        if not isinstance(system, str):
            record.type_errors.append(("system", "a string", json_type(system)))
        record.messages.append(Message("system", system, "system", "system", "system"))

    def _openai(self, record: Record, value: dict[str, Any]) -> None:
        self._system_field(record, value)
        messages = value["messages"]
        if not isinstance(messages, list):
            record.type_errors.append(("messages", "an array", json_type(messages)))
            return
        roles = self.openai_roles
        out = record.messages
        for i, msg in enumerate(messages):
            path, content_path, role_path = _openai_paths(i)
            if not isinstance(msg, dict):
                record.type_errors.append((path, "an object", json_type(msg)))
                continue
            role = msg.get("role")
            if type(role) is not str:  # missing or not a string: `_role` reports it
                role = _role(msg, "role", path, record)
            calls = msg.get("tool_calls") or msg.get("function_call")
            if not calls and "content" not in msg:
                record.type_errors.append((content_path, "a string", "missing"))
            content = msg.get("content")
            non_text = False
            if isinstance(content, list):
                content, non_text = self._content_parts(record, content, content_path)
            elif content is not None and not isinstance(content, str):
                record.type_errors.append((content_path, "a string", json_type(content)))
            weight = msg.get("weight")
            out.append(
                Message(
                    roles.get(role, role),
                    content,
                    content_path,
                    role,
                    role_path,
                    bool(calls),
                    non_text,
                    weight if isinstance(weight, (int, float)) else None,
                )
            )
            if not msg.keys() <= OPENAI_MESSAGE_KEYS:
                record.unexpected_keys.extend(f"{path}.{k}" for k in msg if k not in OPENAI_MESSAGE_KEYS)

    @staticmethod
    def _content_parts(record: Record, parts: list[Any], path: str) -> tuple[str, bool]:
        """OpenAI's multimodal content: a list of parts; the text parts are the message's text. Also says
        whether there are non-text parts (an image-only turn is not empty)."""
        texts = []
        non_text = False
        for j, part in enumerate(parts):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part, dict) and "text" in part:
                record.type_errors.append((f"{path}[{j}].text", "a string", json_type(part["text"])))
            elif isinstance(part, dict) and "type" in part:
                non_text = True
            else:
                record.type_errors.append((f"{path}[{j}]", "a content part object", json_type(part)))
        return "\n".join(texts), non_text

    def _sharegpt(self, record: Record, value: dict[str, Any]) -> None:
        self._system_field(record, value)
        turns = value["conversations"]
        if not isinstance(turns, list):
            record.type_errors.append(("conversations", "an array", json_type(turns)))
            return
        for i, turn in enumerate(turns):
            path = f"conversations[{i}]"
            if not isinstance(turn, dict):
                record.type_errors.append((path, "an object", json_type(turn)))
                continue
            role = _role(turn, "from", path, record)
            content = turn.get("value")
            if not isinstance(content, str):
                actual = json_type(content) if "value" in turn else "missing"
                record.type_errors.append((f"{path}.value", "a string", actual))
            record.messages.append(
                Message(
                    self.sharegpt_roles.get(role, role),
                    content,
                    f"{path}.value",
                    role,
                    f"{path}.from",
                    has_tool_calls=role in SHAREGPT_TOOL_CALL_ROLES,
                )
            )
            if not turn.keys() <= SHAREGPT_TURN_KEYS:
                record.unexpected_keys.extend(f"{path}.{k}" for k in turn if k not in SHAREGPT_TURN_KEYS)

    def _alpaca(self, record: Record, value: dict[str, Any]) -> None:
        self._system_field(record, value)
        history = value.get("history")
        if isinstance(history, list):
            for i, pair in enumerate(history):
                if isinstance(pair, list) and len(pair) == 2:
                    for j, role in enumerate(("user", "assistant")):
                        text = pair[j]
                        if not isinstance(text, str):
                            record.type_errors.append((f"history[{i}][{j}]", "a string", json_type(text)))
                        field = f"history[{i}][{j}]"
                        record.messages.append(Message(role, text, field, role, field))
                else:
                    record.type_errors.append((f"history[{i}]", "a [prompt, response] pair", json_type(pair)))
        elif history is not None:
            record.type_errors.append(("history", "an array", json_type(history)))
        fields = [("instruction", "user")]
        if value.get("input") not in (None, ""):
            fields.append(("input", "user"))
        fields.append(("output", "assistant"))
        self._text_fields(record, value, fields)

    @staticmethod
    def _text_fields(record: Record, value: dict[str, Any], fields: Any) -> None:
        for key, role in fields:
            text = value.get(key)
            if not isinstance(text, str):
                record.type_errors.append((key, "a string", json_type(text)))
            record.messages.append(Message(role, text, key, key, key))
