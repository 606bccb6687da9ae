from __future__ import annotations

import base64
import re
from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, masked_excerpt

# Every pattern starts with a literal character (`-`, `_`, `A`, `e`) so the regex engine scans for it quickly;
# what comes before that character is checked with a look-behind. The named group says which kind of key it is.
_DASH = re.compile(
    r"-(?:"
    r"(?<=sk-)(?<![\w-]sk-)(?:"
    r"(?P<ant>ant-(?:api|admin)\d\d-[A-Za-z0-9_\-]{80,})"
    r"|(?P<proj>(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,})"
    r"|(?P<oai>[A-Za-z0-9]{32,})(?![\w-])"
    r")"
    r"|(?<=xox[baprs]-)(?<![\w-]xox[baprs]-)(?P<slack>[0-9]{6,}-[0-9A-Za-z\-]{10,})"
    r"|(?P<pem>----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)"
    r")"
)
_UNDERSCORE = re.compile(
    r"_(?:"
    r"(?<=(?<!\w)gh[pousr]_)(?P<github>[A-Za-z0-9]{36,255})(?!\w)"
    r"|(?<=(?<!\w)github_)(?P<github_pat>pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?!\w)"
    r"|(?<=(?<!\w)[sr]k_)(?P<stripe>live_[A-Za-z0-9]{24,99})(?!\w)"
    r"|(?<=(?<!\w)hf_)(?P<hf>[A-Za-z0-9]{34,40})(?!\w)"
    r")"
)
_A = re.compile(
    r"A(?=KIA|SIA|Iza)(?<![A-Za-z0-9]A)(?:"
    r"(?P<aws>(?:KIA|SIA)[A-Z2-7]{16})(?![A-Za-z0-9])"
    r"|(?P<google>Iza[\w\-]{35})(?![\w-])"
    r")"
)
_DASH_SEARCH, _UNDERSCORE_SEARCH, _A_SEARCH = _DASH.search, _UNDERSCORE.search, _A.search
_JWT = re.compile(r"eyJ(?<![\w-]eyJ)[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_BASE64 = re.compile(r"[A-Za-z0-9+/=]{16,}")

#: group -> (what it is, how many characters of its prefix come before the character the regex starts with)
_KINDS = {
    "ant": ("Anthropic API key", 2),
    "proj": ("OpenAI API key", 2),
    "oai": ("OpenAI API key", 2),
    "slack": ("Slack token", 4),
    "pem": ("private key", 0),
    "github": ("GitHub token", 3),
    "github_pat": ("GitHub token", 6),
    "stripe": ("Stripe live key", 2),
    "hf": ("Hugging Face token", 2),
    "aws": ("AWS access key ID", 0),
    "google": ("Google API key", 0),
}
# How many characters of a key are shown: its well-known prefix and two more.
_SHOWN = {"ant": 9, "proj": 10, "oai": 5, "slack": 7, "github": 6, "github_pat": 13, "stripe": 10, "hf": 5}
_SHOWN_DEFAULT = 6

# Documentation examples that have the right shape but are not secrets.
_EXAMPLES = ("EXAMPLE", "example", "XXXX", "xxxx", "0000000", "1234567", "abcdefg", "ABCDEFG", "YOUR", "your")
_JWT_IO_SIGNATURE = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"  # the jwt.io sample token


class Secret(RecordRule):
    """An API key, token or private key in a text: a leaked credential.

    **What it does**: reports, once per field, strings with the exact shape of well-known credentials:
    OpenAI (`sk-...`, `sk-proj-...`), Anthropic (`sk-ant-api03-...`), AWS access key IDs (`AKIA...`,
    `ASIA...`), GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), Slack (`xoxb-` and other
    `xox?-` tokens), Google API keys (`AIza...`), Stripe live secret and restricted keys (`sk_live_`,
    `rk_live_`), Hugging Face tokens (`hf_...`), JSON Web Tokens (`eyJ...`.`eyJ...`.`...`) and private key
    blocks (`-----BEGIN ... PRIVATE KEY-----` with a key body). Code is checked too: a key in a code block is
    still a key. The excerpt and message mask every key, showing only its prefix and length.
    Not reported, because they are not secrets: documentation examples and placeholders with a key's shape,
    that is keys containing `EXAMPLE` (AWS's documented `AKIAIOSFODNN7EXAMPLE`), `XXXX` or `YOUR`, runs such
    as `0000000` or `1234567`, too few distinct characters, or no mix of digits and upper and lower case where
    a random key has one (an all-letter `ASIA...` is a word); the jwt.io sample token; truncated keys
    (`sk-...`); and key blocks without a body (`-----BEGIN RSA PRIVATE KEY-----\\n...`).

    **Why it matters**: a credential in training data can be memorised and reproduced by the model for anyone
    who asks, and a dataset shared with a key in it has leaked the key. Rotate it as well as removing it.

    **Example**: `{"role": "user", "content": "Why does OPENAI_API_KEY=sk-proj-4fQ... give a 401?"}`.

    **Fix**: revoke the key, then replace it in the data with a placeholder (`sk-...`) or drop the example.
    """

    code = "T010"
    name = "secret"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if type(text) is not str:
                continue
            # the cheap precheck: three scans for a literal character, allocating nothing when they miss
            if not (
                _DASH_SEARCH(text)
                or _A_SEARCH(text)
                or ("_" in text and _UNDERSCORE_SEARCH(text))
                or ("J" in text and "eyJ" in text)
            ):
                continue
            found = _find(text)
            if not found:
                continue
            kinds: dict[str, int] = {}
            for _, _, kind, _ in found:
                kinds[kind] = kinds.get(kind, 0) + 1
            s, e, kind, shown = found[0]
            if len(found) == 1:
                what = f"possible {kind}: {shown}"
            else:
                listed = ", ".join(f"{n} {k}" if n > 1 else k for k, n in kinds.items())
                what = f"{len(found)} possible secrets ({listed}), first {shown}"
            yield self.finding(
                what,
                record.location.at(msg.field, (s, e)),
                masked_excerpt(text, [(s, e, f"[{shown}]") for s, e, _, shown in found]),
            )


Hit = tuple[int, int, str, str]


def _find(text: str) -> list[Hit] | None:
    """Every key in the text as (start, end, kind, masked), in text order; None when there is none."""
    found: list[Hit] | None = None
    for pattern in (_DASH, _UNDERSCORE, _A):
        if pattern is _UNDERSCORE and "_" not in text:
            continue
        for m in pattern.finditer(text):
            group = m.lastgroup
            assert group is not None
            kind, before = _KINDS[group]
            s, e = m.start() - before, m.end()
            if group == "pem":
                e = _pem_end(text, m.end())
                if e < 0:
                    continue
                s = m.start()
                token = text[s:e]
                shown = f"{m.group()}… ({e - s} chars)"
            else:
                token = text[s:e]
                if _fake(m.group(group), group):
                    continue
                shown = f"{token[: _SHOWN.get(group, _SHOWN_DEFAULT)]}… ({len(token)} chars)"
            found = found or []
            found.append((s, e, kind, shown))
    if "J" in text and "eyJ" in text:
        for m in _JWT.finditer(text):
            token = m.group()
            if token.endswith(_JWT_IO_SIGNATURE) or _fake_jwt(token):
                continue
            found = found or []
            found.append((m.start(), m.end(), "JSON Web Token", f"{token[:6]}… ({len(token)} chars)"))
    if found:
        found.sort()
    return found


def _fake(body: str, group: str) -> bool:
    """A documentation example or a placeholder with the shape of a key."""
    if any(x in body for x in _EXAMPLES):
        return True
    chars = body.replace("-", "").replace("_", "")
    if len(set(chars)) < max(6, len(chars) // 4):
        return True
    if group in ("aws",):
        return not any(c.isdigit() for c in chars[4:])
    if group in ("hf",):
        return not (any(c.islower() for c in chars) and any(c.isupper() for c in chars))
    # random base62 keys of this length always mix digits, upper and lower case
    return not (any(c.isdigit() for c in chars) and any(c.islower() for c in chars) and any(c.isupper() for c in chars))


def _fake_jwt(token: str) -> bool:
    payload = token.split(".")[1]
    try:
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8", "replace")
    except ValueError:
        return False
    return "John Doe" in decoded or '"1234567890"' in decoded


def _pem_end(text: str, start: int) -> int:
    """Where a private key block that starts at `start` ends; -1 when it has no key body (a placeholder)."""
    end = _PEM_END.search(text, start, start + 20000)
    stop = end.start() if end else min(len(text), start + 20000)
    body = sum(len(m.group()) for m in _BASE64.finditer(text, start, stop))
    if body < 64:
        return -1
    return end.end() if end else stop
