"""Fixture pages: a report's own lines wrapped in the chrome of three kinds of government site.

Each layout is what such sites really serve: a portal with banner, navigation, breadcrumb, info
bar, share and QR boxes, sidebar and footer (layout portal); an older table-based bureau site
(layout bureau); a TRS-style article page with a column tree and related lists (layout column).
The report's lines go in as the site would mark them up; everything else is chrome that fazhi
must drop. `text_dump` gives what a person copying the page as text would save.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    title: str
    date: str
    source: str
    url: str
    lines: list[str]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def portal(page: Page) -> str:
    """A city portal (天津-style): banner, nav bar, breadcrumb, info bar, share, sidebar, footer."""
    title, *body = page.lines
    paragraphs = "\n".join(
        f'<p style="text-indent:2em;">{_escape(line)}</p>'
        if not line[:2].endswith("、")
        else f'<p style="text-indent:2em;"><strong>{_escape(line)}</strong></p>'
        for line in body
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{_escape(page.title)}_{_escape(page.source)}</title>
<meta name="ArticleTitle" content="{_escape(page.title)}">
<meta name="PubDate" content="{page.date} 09:30">
<meta name="ContentSource" content="{_escape(page.source)}">
<meta name="SiteName" content="天津滨海高新技术产业开发区">
<link rel="canonical" href="{page.url}">
<style>body {{ font-family: sans-serif; }} .nav li {{ display: inline; }}</style>
<script>var _hmt = _hmt || []; window.siteId = "1201000032";</script>
</head>
<body>
<div class="top-bar">网站支持IPv6 <a href="/zntj/">智能推荐</a> | <a href="/wx/">微信</a> | <a href="/wb/">微博</a> | <a href="/xf/">信访举报</a> |</div>
<div class="header"><img src="/images/logo.png" alt="天津滨海高新技术产业开发区"><form class="search"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>
<ul class="nav">
<li><a href="/">首页</a></li><li><a href="/gk/">公开</a></li><li><a href="/hd/">互动</a></li><li><a href="/fw/">服务</a></li><li><a href="/zt/">专题</a></li>
</ul>
<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/gk/">公开</a> &gt; <a href="/gk/zdly/">重点领域公开</a></div>
<div class="main">
<div class="article">
<h1>{_escape(title)}</h1>
<div class="info"><span>发布日期:{page.date}</span> <span>来源:{_escape(page.source)}</span> <span>字号:<a>大</a> <a>中</a> <a>小</a></span></div>
<div class="share">分享到:<a class="wx">微信</a><a class="wb">微博</a><a class="qq">QQ空间</a></div>
<div class="content" id="zoom">
{paragraphs}
</div>
<div class="qr"><img src="/qr.png" alt="二维码"><p>扫一扫在手机打开当前页</p></div>
<div class="tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="sidebar">
<h3>热门标签</h3><ul><li><a>营商环境</a></li><li><a>疫情防控</a></li><li><a>双万双服</a></li></ul>
<h3>热点新闻</h3><ul><li><a href="/xw/1.html">高新区召开2021年安全生产工作会议</a></li><li><a href="/xw/2.html">高新区举办民法典专题讲座</a></li></ul>
<h3>相关新闻</h3><ul><li><a href="/xw/3.html">高新区2019年法治政府建设报告</a></li><li><a href="/xw/4.html">高新区2020年政府信息公开工作年度报告</a></li></ul>
</div>
</div>
<div class="footer">
<p><a href="/gywm/">关于我们</a> | <a href="/wzsm/">网站声明</a> | <a href="/wzdt/">网站地图</a></p>
<p>主办单位:天津滨海高新技术产业开发区 承办:高新区管委会办公室</p>
<p>津公网备案:12019202000211 津ICP备09000137号-4 网站标识码:1201000032</p>
<p>联系方式:gxqwxb@tht.gov.cn</p>
<p><span>微博</span></p><p><span>微信</span></p>
</div>
</body>
</html>
"""


def bureau(page: Page) -> str:
    """An older district bureau site in GBK: table layout, 您现在的位置, 信息来源/浏览次数, 版权所有."""
    title, *body = page.lines
    paragraphs = "\n".join(
        f'<p class="MsoNormal" style="line-height:28pt"><span style="font-family:仿宋_GB2312;font-size:16pt">'
        f"&nbsp;&nbsp;&nbsp;&nbsp;{_escape(line)}</span></p>"
        for line in body
    )
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{_escape(page.title)}-{_escape(page.source)}</title>
<meta name="keywords" content="法治政府,年度报告">
</head>
<body>
<table width="1000" align="center"><tr><td><img src="/img/banner.jpg"></td></tr>
<tr><td class="daohang"><a href="/">网站首页</a> <a href="/zwgk/">政务公开</a> <a href="/bsfw/">办事服务</a> <a href="/hdjl/">互动交流</a></td></tr>
<tr><td>今天是:2022年3月25日 星期五</td></tr>
</table>
<table width="1000" align="center">
<tr><td class="weizhi">您现在的位置:<a href="/">首页</a> &gt;&gt; <a href="/zwgk/">政务公开</a> &gt;&gt; 法治政府建设</td></tr>
<tr><td align="center" class="biaoti">{_escape(title)}</td></tr>
<tr><td align="center" class="xinxi">信息来源:{_escape(page.source)}&nbsp;&nbsp;发布时间:{page.date}&nbsp;&nbsp;浏览次数:1024</td></tr>
<tr><td class="zhengwen">
<div id="Zoom">
{paragraphs}
</div>
</td></tr>
<tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
<tr><td>上一篇:<a href="/zwgk/1.html">关于开展2022年普法宣传月活动的通知</a></td></tr>
<tr><td>下一篇:<a href="/zwgk/3.html">2021年政府信息公开工作年度报告</a></td></tr>
</table>
<table width="1000" align="center" class="bottom">
<tr><td><a href="/lxwm/">联系我们</a> | <a href="/wzdt/">网站地图</a> | <a href="/sygz/">使用帮助</a></td></tr>
<tr><td>版权所有:{_escape(page.source)} 地址:天津市滨海新区东疆港区 邮编:300461</td></tr>
<tr><td>技术支持:天津某某信息技术有限公司 电话:022-25601234</td></tr>
<tr><td><a href="http://beian.miit.gov.cn">津ICP备05004411号</a> 津公网安备 12011602000123号 政府网站标识码:1201160001</td></tr>
</table>
</body>
</html>
"""


def column(page: Page) -> str:
    """A TRS-style article page: column tree, title block, TRS_Editor body, related-links list."""
    title, *body = page.lines
    paragraphs = "\n".join(f"<p>\u3000\u3000{_escape(line)}</p>" for line in body)
    return f"""<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{_escape(page.title)}</title>
<meta property="og:title" content="{_escape(page.title)}">
<meta property="og:url" content="{page.url}">
<meta name="publishdate" content="{page.date}">
</head>
<body>
<header><div class="logo">天津市滨海新区人民政府</div><div class="links"><a>无障碍</a> <a>长者模式</a> <a>English</a></div></header>
<nav><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/zwfw/">政务服务</a><a href="/hdjl/">互动交流</a><a href="/zjbh/">走进滨海</a></nav>
<aside class="column-tree"><h4>政务公开</h4><ul><li>政府信息公开指南</li><li>政府信息公开制度</li><li>法定主动公开内容</li><li>政府信息公开年报</li></ul></aside>
<main>
<div class="position">当前位置:首页 » 政务公开 » 法定主动公开内容 » 法治政府建设</div>
<div class="title-block"><h2>{_escape(title)}</h2>
<div class="meta">时间:{page.date} &nbsp; 来源:{_escape(page.source)} &nbsp; 阅读次数:388</div></div>
<div class="TRS_Editor">
{paragraphs}
</div>
<div class="related"><h4>相关链接</h4><ul><li><a>滨海新区2023年法治政府建设情况报告</a></li><li><a>滨海新区2022年法治政府建设情况报告</a></li></ul></div>
<div class="page-tools">【打印】 【关闭】 <span>扫一扫在手机上查看当前页面</span></div>
</main>
<footer>
<p>网站声明 | 联系我们 | 网站地图</p>
<p>主办:天津市滨海新区人民政府办公室 &nbsp; 承办:天津市滨海新区政务服务办公室</p>
<p>网站标识码:1201160001 &nbsp; 津ICP备10203050号-1 &nbsp; 津公网安备 12011602000101号</p>
<p>建议使用1280×768分辨率浏览本网站</p>
</footer>
</body>
</html>
"""


LAYOUTS = {"portal": portal, "bureau": bureau, "column": column}


def text_dump(page_html: str) -> str:
    """What saving the rendered page as text gives: one line per block, tags gone."""
    from pipelines.reading.html_pages import page_lines

    return "\n".join(page_lines(page_html))
