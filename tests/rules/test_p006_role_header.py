"""P006 role-header: hand-written role headers inside one turn (a conversation templated twice)."""

import dslint
from dslint.rules.prompt.role_header import RoleHeader


def chat(*turns: tuple[str, str]) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": role, "content": content} for role, content in turns]}


def test_prose_and_deliberate_transcripts_pass(write_jsonl):
    rows = [
        # one header-like line inside an answer is prose
        chat(("user", "How do I log in?"), ("assistant", "Open the page.\nUser: enter your name\nThen press OK.")),
        # "User:" at the start of an assistant turn does not name the turn's own role
        chat(("user", "What does the form ask?"), ("assistant", "User: your login name.\nPassword: your secret.")),
        # bare Input:/Output: lines are ordinary examples, not template headers
        chat(("user", "Square it."), ("assistant", "Input: 3\nOutput: 9\nInput: 4\nOutput: 16")),
        # a markdown heading that is not a role header
        chat(("user", "Write docs."), ("assistant", "### Installation\npip install x\n### Usage:\nrun x")),
        # quoted in a code block
        chat(("user", "Show the Alpaca template."), ("assistant", "```\n### Instruction:\n{x}\n### Response:\n```")),
        # few-shot transcripts in a system prompt are deliberate
        chat(("system", "Examples:\nUser: hi\nAssistant: hello"), ("user", "hi"), ("assistant", "hello")),
        # prompt/completion and text records: the transcript is the template
        {"prompt": "\n\nHuman: Hi\n\nAssistant:", "completion": " Hello END"},
        {"text": "Human: Hi\nAssistant: Hello"},
    ]
    assert dslint.scan(write_jsonl(rows), select=["P006"]).count("P006") == 0


def test_templates_and_transcripts_inside_one_turn_are_reported(write_jsonl):
    rows = [
        chat(("user", "Capital of France?"), ("assistant", "### Response:\nParis.\n\n### Instruction:\nAnd Peru?")),
        chat(("user", "Chat log:\nHuman: hi\nAI: hello\nHuman: bye"), ("assistant", "A greeting.")),
        chat(("user", "Hi"), ("assistant", "Assistant: Hello! How can I help?")),
        {
            "conversations": [
                {"from": "human", "value": "**User:** What is 2+2?\n**Assistant:** 4"},
                {"from": "gpt", "value": "4"},
            ]
        },
        {"instruction": "### Instruction:\nTranslate to French.", "input": "cat", "output": "chat"},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["P006"]).findings()
    assert [(f.line, f.row, f.field, f.span) for f in found] == [
        (1, 0, "messages[1].content", [0, 13]),
        (2, 1, "messages[0].content", [10, 16]),
        (3, 2, "messages[1].content", [0, 10]),
        (4, 3, "conversations[0].value", [0, 7]),
        (5, 4, "instruction", [0, 16]),
    ]
    assert [f.message for f in found] == [
        'role header(s) in assistant content, a transcript inside one turn: "### Response:" (line 1), '
        '"### Instruction:" (line 4)',
        'role header(s) in user content, a transcript inside one turn: "Human:" (line 2), "AI:" (line 3), '
        '"Human:" (line 4)',
        'role header(s) in assistant content, the turn starts with a role header: "Assistant:" (line 1)',
        'role header(s) in human content, a transcript inside one turn: "**User:" (line 1), "**Assistant:" (line 2)',
        'role header(s) in instruction content, the turn starts with a role header: "### Instruction:" (line 1)',
    ]
    assert found[0].excerpt == "### Response: Paris. ### Instruction: And Peru?"
    assert {f.severity for f in found} == {"warning"}


def test_more_headers_are_summarised(make_record):
    log = "\n".join(f"{'User' if i % 2 == 0 else 'Assistant'}: line {i}" for i in range(6))
    (finding,) = RoleHeader().check(make_record(chat(("user", log), ("assistant", "ok"))))
    assert finding.message.endswith('"Assistant:" (line 2), "User:" (line 3) and 3 more')
