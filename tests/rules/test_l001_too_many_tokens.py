"""L001 too-many-tokens: examples over `max-tokens` tokens, naming the longest field."""

import pytest

import dslint
from dslint.records import Location, Message, Record
from dslint.rules.length.too_many_tokens import TooManyTokens, TooManyTokensOptions
from dslint.text.tokenizer import TokenCounter

SYSTEM = "Marv is a factual chatbot that is also sarcastic."
QUESTION = "What's the capital of France?"
ANSWER = "Paris, as if everyone doesn't know that already. It has been the capital for over a thousand years."


def _chat_tokens(counter, *contents):
    # the docstring: 3 tokens per turn plus 3 for the reply primer
    return sum(counter.count(c) for c in contents) + 3 * len(contents) + 3


def _chat(*contents):
    roles = ["system", "user", "assistant"]
    return {"messages": [{"role": r, "content": c} for r, c in zip(roles, contents, strict=True)]}


def test_default_limit_passes_normal_examples_and_flags_the_banana_reply(write_jsonl):
    path = write_jsonl(
        [_chat(SYSTEM, QUESTION, ANSWER), _chat(SYSTEM, "How far is the Moon?", "Eat a banana! " * 2000)]
    )
    report = dslint.scan(path, select=["L001"])
    (finding,) = report.findings()
    assert (finding.code, finding.path, finding.line, finding.row, finding.field) == (
        "L001",
        str(path),
        2,
        1,
        "messages[2].content",
    )
    assert finding.severity == "error"
    assert "over max-tokens 4096" in finding.message
    assert "longest field" in finding.message


def test_threshold_is_exact_and_counts_the_chat_template(write_jsonl):
    counter = TokenCounter("o200k_base")
    total = _chat_tokens(counter, SYSTEM, QUESTION, ANSWER)
    path = write_jsonl([_chat(SYSTEM, QUESTION, ANSWER)])
    assert dslint.scan(path, select=["L001"], rules={"L001": {"max-tokens": total}}).count("L001") == 0
    report = dslint.scan(path, select=["L001"], rules={"L001": {"max-tokens": total - 1}})
    (finding,) = report.findings()
    longest = max(counter.count(c) for c in (SYSTEM, QUESTION, ANSWER))
    assert finding.message == (
        f"example has {total} tokens, over max-tokens {total - 1} (longest field: {longest} tokens)"
    )
    assert finding.field == "messages[2].content"  # the answer is the longest text here
    assert report.summary.max_tokens == total - 1


def test_prompt_completion_has_no_template_overhead(write_jsonl):
    counter = TokenCounter("o200k_base")
    prompt = "Extract the dopants from: 'Mn-doped ZnO films were grown by PLD.'\n\n###\n\n"
    completion = ' [{"host": "ZnO", "dopant": "Mn"}]\n\nEND\n\n'
    total = counter.count(prompt) + counter.count(completion)
    path = write_jsonl([{"prompt": prompt, "completion": completion}])
    assert dslint.scan(path, select=["L001"], rules={"L001": {"max-tokens": total}}).count("L001") == 0
    (finding,) = dslint.scan(path, select=["L001"], rules={"L001": {"max-tokens": total - 1}}).findings()
    assert finding.message.startswith(f"example has {total} tokens")
    assert finding.field == ("prompt" if counter.count(prompt) >= counter.count(completion) else "completion")


def test_longest_field_in_sharegpt(write_jsonl):
    long_answer = "The French Revolution began in 1789 with the storming of the Bastille. " * 20
    path = write_jsonl(
        [
            {
                "conversations": [
                    {"from": "human", "value": "Hi"},
                    {"from": "gpt", "value": "Hello! Ask me about history."},
                    {"from": "human", "value": "When did the French Revolution start?"},
                    {"from": "gpt", "value": long_answer},
                ]
            }
        ]
    )
    (finding,) = dslint.scan(path, select=["L001"], rules={"L001": {"max-tokens": 100}}).findings()
    assert (finding.line, finding.row, finding.field) == (1, 0, "conversations[3].value")


def test_plain_text_and_encoding_option(write_jsonl):
    text = "Die Mitochondrien sind die Kraftwerke der Zelle. " * 40
    path = write_jsonl([{"text": text}])
    for encoding in ("o200k_base", "cl100k_base"):
        n = TokenCounter(encoding).count(text)
        report = dslint.scan(path, select=["L001"], encoding=encoding, rules={"L001": {"max-tokens": 50}})
        (finding,) = report.findings()
        assert finding.field == "text"
        assert finding.message.startswith(f"example has {n} tokens, over max-tokens 50")
        assert report.summary.encoding == encoding


def test_every_long_example_is_reported(write_jsonl):
    rows = [{"text": ("word " * n).strip()} for n in (10, 80, 20, 300, 51)]
    report = dslint.scan(write_jsonl(rows), select=["L001"], rules={"L001": {"max-tokens": 50}})
    assert report.count("L001") == 3
    assert [f.line for f in report.findings()] == [2, 4, 5]


def test_option_must_be_positive():
    with pytest.raises(Exception, match="max-tokens"):
        dslint.scan([{"text": "x"}], select=["L001"], rules={"L001": {"max-tokens": 0}})


def test_check_directly():
    rule = TooManyTokens(TooManyTokensOptions(max_tokens=10))
    msgs = [
        Message("user", "q", "prompt", "prompt", "prompt", n_tokens=4),
        Message("assistant", "a", "completion", "completion", "completion", n_tokens=7),
    ]
    record = Record("prompt-completion", msgs, {}, Location("train.jsonl", 0, 1, "train"), n_tokens=11)
    (finding,) = rule.check(record)
    assert finding.location.field == "completion"
    record.n_tokens = 10
    assert list(rule.check(record)) == []


def test_empty_conversation_over_a_tiny_limit_does_not_crash(write_jsonl):
    # An empty turn list still counts the 3-token reply primer; a scan must never raise a traceback.
    path = write_jsonl([{"messages": []}])
    report = dslint.scan(path, select=["L001"], rules={"L001": {"max-tokens": 1}})
    assert [f.field for f in report.findings()] == [None]  # the whole record: it has no turns to name
