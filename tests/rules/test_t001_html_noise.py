"""T001 html-noise: HTML tags and entities left in text; code, generics, GSM8K annotations and addresses are not."""

import copy

import pytest

import dslint
from dslint.rules.text.html_noise import HtmlNoise, html_matches, strip_html

RECIPE = "Preheat the oven to 180C.<br />Bake for 20 minutes.&nbsp;Let it cool."


def _chat(user, assistant):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def test_html_is_reported_once_per_field_with_location(write_jsonl):
    rows = [
        _chat("How do I bake banana bread?", "Mash three bananas, then mix in the flour."),
        _chat("How long does it bake?", RECIPE),
        {
            "conversations": [
                {"from": "human", "value": '<div class="post"><p>Is it safe?</p></div>'},
                {"from": "gpt", "value": "Yes, if you don&apos;t leave it unattended."},
            ]
        },
        {"instruction": "Summarise the review.", "input": "Great food &amp; friendly staff.", "output": "Good."},
        {"prompt": "Q: Capital of Peru?\n\n###\n\n", "completion": " Lima</p> END"},
        {"text": "Call us at 555-0100 &#8211; open daily.", "label": "ad"},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T001"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T001", str(path), 2, 1, "messages[1].content", [25, 31]),
        ("T001", str(path), 3, 2, "conversations[0].value", [0, 18]),
        ("T001", str(path), 3, 2, "conversations[1].value", [15, 21]),
        ("T001", str(path), 4, 3, "input", [11, 16]),
        ("T001", str(path), 5, 4, "completion", [5, 9]),
        ("T001", str(path), 6, 5, "text", [20, 27]),
    ]
    assert all(f.severity == "warning" for f in found)
    assert [f.message for f in found] == [
        "HTML in text: 1 tag and 1 entity (first: '<br />')",
        "HTML in text: 4 tags (first: '<div class=\"post\">')",
        "HTML in text: 1 entity (first: '&apos;')",
        "HTML in text: 1 entity (first: '&amp;')",
        "HTML in text: 1 tag (first: '</p>')",
        "HTML in text: 1 entity (first: '&#8211;')",
    ]
    assert found[0].excerpt == "Preheat the oven to 180C.<br />Bake for 20 minutes.&nbsp;Let …"


@pytest.mark.parametrize(
    "text",
    [
        "Use a List<String> and a Map<K, V> here; Parser<P> and impl<I> too; Array<Object> in TypeScript.",
        "If a < b and b > c then x<y> holds.",
        "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72",
        "Write to <john@example.com> or see <https://example.com/docs?a=1&b=2>.",
        "In HTML, use `<br>` or `&nbsp;` for that.",
        '```html\n<div class="card"><p>Hello&nbsp;world</p></div>\n```\nThat renders a card.',
        '~~~\n<table border="1"><tr><td>1</td></tr></table>\n~~~',
        "<s>[INST] Hello [/INST] Hi there!</s>",
        "SELECT name FROM <table> WHERE <column> = 1",
        'The <br> tag breaks a line; "<p>" starts a paragraph.',
        "<document>\n<title>Q3 report</title>\n<summary>Revenue grew.</summary>\n</document>",
        "Replace <name> with your name and <input> with the file, then run cp <source> <dest>.",
        "AT&T and R&D; Q&A; Procter & Gamble; rock&roll;",
        "Use x<b>c for the comparison chain.",
        "<Span>, <Div> and <Header> are React components.",
    ],
)
def test_not_html(make_record, text):
    assert list(HtmlNoise().check(make_record({"text": text}))) == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Line one<br>Line two", "<br>"),
        ("Line one<BR>Line two", "<BR>"),
        ("Top<hr/>Bottom", "<hr/>"),
        ('Click <a href="https://example.com">here</a>.', '<a href="https://example.com">'),
        ("It was <b>very</b> good.", "<b>"),
        ("OLD PAGE <P>Welcome</P>", "<P>"),
        ("<ul><li>Flour</li><li>Sugar</li></ul>", "<ul>"),
        ("x<sup>2</sup> + y<sub>1</sub>", "<sup>"),
        ('<table border="1"><tr><td>a</td></tr></table>', '<table border="1">'),
        ('<script type="text/javascript">var a = 1;</script>Real text', '<script type="text/javascript">'),
        ("it&#39;s", "&#39;"),
        ("it&#x27;s", "&#x27;"),
        ("10&frac14; miles", "&frac14;"),
    ],
)
def test_html(make_record, text, first):
    (finding,) = HtmlNoise().check(make_record({"text": text}))
    assert finding.message.endswith(f"(first: {first!r})")
    assert finding.location.span == (text.index(first), text.index(first) + len(first))


def test_html_outside_code_is_found_when_code_has_html_too(make_record):
    text = 'Use this:\n```html\n<div class="a">x</div>\n```\nIt shows a box.<br>Done `<p>`.'
    (finding,) = HtmlNoise().check(make_record({"text": text}))
    assert finding.message == "HTML in text: 1 tag (first: '<br>')"
    assert finding.location.span == (text.index("<br>"), text.index("<br>") + 4)


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        (RECIPE, "Preheat the oven to 180C.\nBake for 20 minutes.\xa0Let it cool."),
        ("Line one<br />\nLine two", "Line one\nLine two"),
        ("One<br><br>Two", "One\n\nTwo"),
        ("<p>First.</p>\n<p>Second.</p>", "First.\nSecond."),
        ("<p>First.</p><p>Second.</p>", "First.\n\nSecond."),
        ("<ul><li>Flour</li><li>Sugar</li></ul>", "Flour\nSugar"),
        ("<table><tr><td>Name</td><td>Age</td></tr><tr><td>Ann</td><td>31</td></tr></table>", "Name Age\nAnn 31"),
        ('Visit <a href="https://example.com">our site</a> today', "Visit our site today"),
        ("Tom &amp; Jerry don&apos;t &#8211; it&#39;s fine", "Tom & Jerry don't \u2013 it's fine"),
        ("don&amp;apos;t", "don't"),  # double-escaped
        ('<script type="text/javascript">var a = 1;</script>Real text', "Real text"),
        ("<html><head><title>Menu</title></head><body><p>Soup</p></body></html>", "Menu\n\nSoup"),
        (
            "<document>\n<title>Q3</title>\nUp<br>Down\n</document>",
            "<document>\n<title>Q3</title>\nUp\nDown\n</document>",
        ),
        ("end.</p>", "end."),
        # only the HTML found changes: code-like text and code stay as they were
        ("A List<String> a < b <<4*2=8>>.<br>Next", "A List<String> a < b <<4*2=8>>.\nNext"),
        ("See `<br>` and:\n```\n<p>&amp;</p>\n```\n<p>Done</p>", "See `<br>` and:\n```\n<p>&amp;</p>\n```\nDone"),
        # escaped markup would become a tag (and go the next time): it stays escaped
        ("Write &lt;br&gt; to break a line", None),
    ],
)
def test_strip_html(text, fixed):
    assert strip_html(text) == (fixed if fixed is not None else text)
    result = strip_html(text)
    assert result is not None
    assert strip_html(result) in (None, result)  # idempotent


def test_fix_changes_only_the_fields_with_html(make_record):
    value = {
        "system": "You are a baker.",
        "messages": [
            {"role": "user", "content": "How long? Use a List<String> if you like."},
            {"role": "assistant", "content": RECIPE},
        ],
    }
    record = make_record(copy.deepcopy(value))
    rule = HtmlNoise()
    assert rule.fix(record) == ["messages[1].content"]
    expected = copy.deepcopy(value)
    expected["messages"][1]["content"] = "Preheat the oven to 180C.\nBake for 20 minutes.\xa0Let it cool."
    assert record.raw == expected
    assert record.messages[2].content == expected["messages"][1]["content"]
    assert list(rule.check(record)) == []
    assert rule.fix(record) == []
    assert record.raw == expected


def test_fix_keeps_content_parts(make_record):
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cake.png"}}
    value = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "What is this?<br>Be brief."}, image]},
            {"role": "assistant", "content": "A lemon cake."},
        ]
    }
    record = make_record(value)
    (finding,) = HtmlNoise().check(record)
    assert finding.location.field == "messages[0].content"
    assert HtmlNoise().fix(record) == ["messages[0].content"]
    assert record.raw["messages"][0]["content"] == [{"type": "text", "text": "What is this?\nBe brief."}, image]
    assert HtmlNoise().fix(record) == []


def test_fix_of_sharegpt_and_alpaca_history(make_record):
    record = make_record(
        {
            "instruction": "Translate &quot;hello&quot;.",
            "output": "Bonjour",
            "history": [["Hi<br>", "Hello!"]],
        }
    )
    assert HtmlNoise().fix(record) == ["history[0][0]", "instruction"]
    assert record.raw == {"instruction": 'Translate "hello".', "output": "Bonjour", "history": [["Hi", "Hello!"]]}


def test_matches_are_not_found_in_plain_text():
    assert html_matches("No markup at all, just a < b & c > d.") == []
