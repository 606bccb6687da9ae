"""T008 template-placeholder: `{{name}}`, `{topic}`, `[Your Name]`, `<YOUR_API_KEY>` left unfilled."""

import json
import re
from pathlib import Path

import dslint
from dslint.records import Fix
from dslint.rules.text.template_placeholder import TemplatePlaceholder

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = ROOT / "tests/data/lf_identity/identity.json"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
NOT_PLACEHOLDERS = [
    '{"answer": {"name": "Ishmael", "year": 1851}}',
    r"The ratio is \frac{a}{b}, then x^{2} + x_{ij}, with \mathbf{v} and \sqrt {ab}.",
    "An empty set {} or {0} or {x}.",
    "Run echo ${HOME} and #{ruby} there.",
    "Use `{name}` inline, or a block:\n```jinja\nHello {{ name }}\n```",
    "In Python: print(f'Hello {name}') or '{greeting}'.format(greeting='hi').",
    "See [Company Name](https://acme.com), row[name], [1], [citation needed], and press [Enter].",
    "<div>Hi</div> <EOS> <s> List<String> <br/> <think> and a <name> tag.",
]


def test_code_json_latex_and_markup_pass(write_jsonl):
    rows = [
        {"messages": [{"role": "user", "content": "Show me."}, {"role": "assistant", "content": t}]}
        for t in NOT_PLACEHOLDERS
    ]
    # a JSON answer that explains templates: the bracketed example is data, not a leftover
    answer = {"letter": {"example": "Dear [Recipient's Name],", "phrases": ["[Name], may I present [Name]"]}}
    rows.append(
        {
            "messages": [
                {"role": "user", "content": "Formal letter?"},
                {"role": "assistant", "content": json.dumps(answer)},
            ]
        }
    )
    assert dslint.scan(write_jsonl(rows), select=["T008"]).count("T008") == 0


def test_placeholders_are_reported_once_per_field_with_location(write_jsonl):
    rows = [
        {
            "instruction": "Who are you?",
            "input": "",
            "output": "I am {{name}}, an AI assistant developed by {{author}}.",
        },
        {
            "messages": [
                {"role": "system", "content": "Reply to {topic} questions for {{ user.name }}."},
                {"role": "user", "content": "Write a thank-you note."},
                {
                    "role": "assistant",
                    "content": "Dear [Recipient's Name],\n\nThank you!\n\nBest,\n[Your Name]\n[Your Name]",
                },
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "How do I call the API?"},
                {"from": "gpt", "value": "Send `Authorization: Bearer` with <YOUR_API_KEY> by [INSERT DATE]."},
            ]
        },
        {"prompt": "Greet {{customer}} politely.\n\n###\n\n", "completion": " Hello {{customer}}!"},
        {"text": "Contact [Company Name] at [PHONE NUMBER]. [TODO: add link]"},
        {
            "messages": [
                {"role": "user", "content": "JSON?"},
                {"role": "assistant", "content": '{"greeting": "Hi {{name}}"}'},
            ]
        },
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T008"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T008", str(path), 1, 0, "output", [5, 13]),
        ("T008", str(path), 2, 1, "messages[0].content", [9, 16]),
        ("T008", str(path), 2, 1, "messages[2].content", [5, 23]),
        ("T008", str(path), 3, 2, "conversations[1].value", [34, 48]),
        ("T008", str(path), 4, 3, "prompt", [6, 18]),
        ("T008", str(path), 4, 3, "completion", [7, 19]),
        ("T008", str(path), 5, 4, "text", [8, 22]),
        ("T008", str(path), 6, 5, "messages[1].content", [17, 25]),
    ]
    assert [f.message for f in found] == [
        "unfilled template 2 distinct placeholders: {{name}}, {{author}}",
        "unfilled template 2 distinct placeholders: {topic}, {{ user.name }}",
        "unfilled template 2 distinct placeholders: [Recipient's Name], [Your Name] (x2)",
        "unfilled template 2 distinct placeholders: <YOUR_API_KEY>, [INSERT DATE]",
        "unfilled template placeholder: {{customer}}",
        "unfilled template placeholder: {{customer}}",
        "unfilled template 3 distinct placeholders: [Company Name], [PHONE NUMBER], [TODO: add link]",
        "unfilled template placeholder: {{name}}",
    ]
    assert all(f.severity == "error" for f in found)
    assert found[0].excerpt == "I am {{name}}, an AI assistant developed by…"


def test_template_syntaxes(make_record):
    text = "{{#each items}}{{this}}{{/each}} {{> header}} {{.Name}} {{ name | upper }} {{- trimmed -}} <your-token>"
    (finding,) = TemplatePlaceholder().check(make_record({"text": text}))
    assert finding.message == (
        "unfilled template 8 distinct placeholders: {{#each items}}, {{this}}, {{/each}}, {{> header}}, {{.Name}}"
        " and 3 more"
    )
    assert finding.location.span == (0, 15)


def test_has_no_fix():
    assert TemplatePlaceholder.fix_applicability is Fix.NONE


def _element_lines(path: Path) -> list[int]:
    """1-based lines where the top-level array elements of a pretty-printed (indent 2) JSON file start."""
    text = path.read_text(encoding="utf-8")
    return [i for i, line in enumerate(text.splitlines(), start=1) if re.fullmatch(r"  \{", line)]


def test_identity_json_every_templated_record_is_found():
    # LLaMA-Factory's identity.json is a template to fill in: SOURCE.txt says 85 of its 91 outputs hold
    # {{name}} / {{author}}; the other 6 (rows 74 and 82-86) are Chinese answers without them.
    rows = json.loads(IDENTITY.read_text(encoding="utf-8"))
    templated = [i for i, r in enumerate(rows) if "{{" in r["output"]]
    assert len(rows) == 91 and len(templated) == 85
    assert sorted(set(range(91)) - set(templated)) == [74, 82, 83, 84, 85, 86]
    report = dslint.scan(IDENTITY, select=["T008"], sample_size=100)
    found = report.findings()
    assert report.count("T008") == len(found) == 85
    lines = _element_lines(IDENTITY)
    assert [(f.row, f.line, f.field) for f in found] == [(i, lines[i], "output") for i in templated]
    for f in found:
        output = rows[f.row]["output"]
        assert output[f.span[0] : f.span[1]] == re.search(r"\{\{\w+\}\}", output).group()
        names = sorted(set(re.findall(r"\{\{\w+\}\}", output)))
        assert sorted(re.findall(r"\{\{\w+\}\}", f.message)) == names


def test_anthropic_json_mode_answers_pass():
    # 500 JSON-mode answers, some explaining templates ("Dear [Recipient's Name],"): JSON values are data
    assert dslint.scan(ANTHROPIC, select=["T008"]).count("T008") == 0
