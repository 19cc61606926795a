"""The compiled document's HTML: structure and escaping, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from smartcustoms.cases.compile import CompiledCase, CompiledDocument, Section, render_html
from smartcustoms.cases.model import CaseContent, Outcome


def test_text_is_escaped_and_sections_listed() -> None:
    content = CaseContent(
        title="<script>alert('t')</script> Scanner",
        economy="KR",
        year=2026,
        summary="<b>bold?</b>",
        problem="p",
        solution="s\n\nsecond <img src=x onerror=1>",
        priority_areas=("innovation",),
        themes=("risk-management-ai",),
        technologies=("machine-learning",),
        outcomes=(Outcome("Release time", "hours", "Report", 26.0, 2.0),),
    )
    case = CompiledCase("1.1", "case-kr-x", "id1", "kr-x", "Republic of Korea", content)
    doc = CompiledDocument(
        2026,
        datetime(2026, 11, 1, tzinfo=UTC),
        "Foreword <i>here</i>",
        [Section("innovation", "Innovation", (case,))],
        by_economy=[("Republic of Korea", [case])],
        by_technology=[("Machine learning", [case])],
        outcomes=[(case, content.outcomes[0])],
    )
    html = render_html(doc)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Scanner" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=1&gt;" in html
    assert "Foreword &lt;i&gt;here&lt;/i&gt;" in html
    assert 'href="#case-kr-x"' in html  # table of contents links to the case
    assert "Summary of quantified outcomes" in html
    assert "<link" not in html and "<script" not in html  # standalone: nothing external
