"""L002 short-reply: examples whose assistant text totals fewer than `min-tokens` tokens."""

import dslint
from dslint.rules.length.short_reply import ShortReply, ShortReplyOptions
from dslint.text.tokenizer import TokenCounter

TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "search_flights", "arguments": '{"to": "LIS"}'}}


def test_replies_with_text_pass(write_jsonl):
    rows = [
        {
            "prompt": "Summarise: The council approved the new bike lanes.\n\n###\n\n",
            "completion": " Bike lanes approved.",
        },
        {"instruction": "Give a synonym for 'happy'.", "input": "", "output": "Joyful."},
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]},
        {"conversations": [{"from": "human", "value": "Thanks"}, {"from": "gpt", "value": "Any time."}]},
        {"text": ""},  # no reply in plain text: not this rule's business
        {"messages": [{"role": "user", "content": "No reply here."}]},  # C005's business
    ]
    assert dslint.scan(write_jsonl(rows), select=["L002"]).count("L002") == 0


def test_empty_replies_are_reported_by_default(write_jsonl):
    rows = [
        {"prompt": "Summarise: The meeting moved to Thursday.\n\n###\n\n", "completion": ""},
        {"instruction": "Translate 'cat' to French.", "input": "", "output": ""},
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": ""},
                {"role": "user", "content": "Hello?"},
                {"role": "assistant", "content": ""},
            ]
        },
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["L002"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("L002", str(path), 1, 0, "completion"),
        ("L002", str(path), 2, 1, "output"),
        ("L002", str(path), 3, 2, "messages[3].content"),  # the last reply
    ]
    assert found[0].severity == "warning"
    assert found[0].message == "assistant text totals 0 token(s), below min-tokens 1"
    assert report.passed  # warnings only


def test_min_tokens_sums_all_replies(write_jsonl):
    counter = TokenCounter("o200k_base")
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Is Lisbon sunny in May?"},
                {"role": "assistant", "content": "Yes."},
                {"role": "user", "content": "Warm?"},
                {"role": "assistant", "content": "Mostly."},
            ]
        }
    ]
    total = counter.count("Yes.") + counter.count("Mostly.")
    path = write_jsonl(rows)
    assert dslint.scan(path, select=["L002"], rules={"L002": {"min-tokens": total}}).count("L002") == 0
    (finding,) = dslint.scan(path, select=["L002"], rules={"L002": {"min-tokens": total + 1}}).findings()
    assert finding.field == "messages[3].content"
    assert finding.message == f"assistant text totals {total} token(s), below min-tokens {total + 1}"


def test_tool_calls_are_excluded(write_jsonl):
    counter = TokenCounter("o200k_base")
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Find me a flight to Lisbon next Friday."},
                {"role": "assistant", "content": "Searching flights to Lisbon for you now.", "tool_calls": [TOOL_CALL]},
                {"role": "tool", "tool_call_id": "c1", "content": '{"flights": [{"id": "TP551", "price": 89}]}'},
                {"role": "assistant", "content": "TP551, 89 euros."},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Flight to Lisbon?"},
                {"from": "function_call", "value": '{"name": "search_flights", "arguments": {"to": "LIS"}}'},
                {"from": "observation", "value": '{"flights": [{"id": "TP551"}]}'},
                {"from": "gpt", "value": "TP551, 89 euros."},
            ]
        },
    ]
    reply = counter.count("TP551, 89 euros.")
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["L002"], rules={"L002": {"min-tokens": reply + 1}})
    assert [(f.line, f.field) for f in report.findings()] == [
        (1, "messages[3].content"),
        (2, "conversations[3].value"),
    ]
    assert all(f"totals {reply} token(s)" in f.message for f in report.findings())


def test_check_directly(make_record):
    record = make_record({"prompt": "Capital of Chile?", "completion": " Santiago"})
    record.messages[1].n_tokens = 2
    assert list(ShortReply(ShortReplyOptions(min_tokens=2)).check(record)) == []
    (finding,) = ShortReply(ShortReplyOptions(min_tokens=3)).check(record)
    assert finding.code == "L002" and finding.location.field == "completion"
