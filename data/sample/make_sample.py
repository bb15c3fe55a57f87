"""Rebuild data/sample/sample.warc.gz, reproducibly: the same packages give the same bytes.

The sample is a small crawl of five sites, each with its own navigation and footers, and six more
that carry copies, in many languages and encodings, with every kind of record a crawl brings home:

  * three documentation sites from Debian packages, served as the project sites serve them:
    the Apache HTTP Server manual (apache2-doc: English and ten other languages, in UTF-8,
    ISO-8859-1 and EUC-KR, some declared only in <meta>), the Python 3.11 documentation
    (python3.11-doc) and the Debian Administrator's Handbook (debian-handbook, ten languages,
    some pages only partly translated);
  * our own writing (own_sites.py, articles/): a local news paper and a personal blog, with their
    section and tag pages, forms, errors and non-HTML payloads, and the copies dedup must find;
  * the seed AP article (tests/data/seed-article.txt) on four syndicating sites.

The packages are fetched with `apt-get download NAME=VERSION` (the versions below, checked
against their sha256) and read straight from the .deb (ar, then the data tarball); nothing is
installed. Each package's copyright file is written beside the sample as LICENSE-<package>.
Record ids derive from the URL and its position, WARC dates from a fixed crawl start: no clock,
no randomness. The Ledger's fetches come as a crawler writes them (request, response, metadata);
the other hosts' as response records only.

Usage (after `pip install -e .`; needs Debian's apt and its package lists, `apt-get update`):
    python data/sample/make_sample.py [--debs DIR] [--out data/sample/sample.warc.gz]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from itertools import zip_longest
from pathlib import Path
from urllib.parse import urlsplit

from own_sites import Fetch, blog_fetches, ledger_fetches, reprints, seed_copies  # beside this script
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.sources.warc import write_response

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[1] / "tests" / "data" / "seed-article.txt"
CRAWL_START = datetime(2024, 12, 9, 6, 0, 0, tzinfo=timezone.utc)

# name: (version, sha256 of the .deb)
PACKAGES = {
    "apache2-doc": ("2.4.71-1~deb12u1", "a7b3d1131c1c63dbf9999b28e75f9a133d30f70492b419936bd51759ac77a01f"),
    "python3.11-doc": (
        "3.11.2-6+deb12u9",
        "5b3594189d6ef9a6963ce0347fd307a1cc67620ad697e144db366070e2e146be",
    ),
    "debian-handbook": ("11.20220922", "3d5dbeac1f1afc9c094eab9d0f701f6ecff99c4927d5a4794cf6c85678134faa"),
}

APACHE = "https://httpd.apache.org/docs/2.4"
APACHE_ROOT = "usr/share/doc/apache2-doc/manual/"
# The file name suffix httpd.apache.org gives each language's variant of a page.
APACHE_SUFFIX = {"ja": "ja.utf8", "ko": "ko.euc-kr", "tr": "tr.utf8"}
# By language (the page's own <html lang>: Debian's en/ folder holds some pt-br pages). English:
# prose guides and module pages, most of which pass the filters; then pages dense with
# configuration (c4's curly bracket, repeated n-grams and lines), then index pages and the sitemap.
APACHE_PAGES = {
    "en": """
        caching developer/filters developer/new_api_2_4 developer/request dso getting-started handler
        howto/auth howto/htaccess howto/http2 howto/index license misc/relevant_standards misc/security_tips
        mod/directive-dict mod/mod_asis mod/mod_authn_file mod/mod_authz_host mod/mod_authz_owner mod/mod_info
        mod/mod_mime_magic mod/mod_proxy_ajp mod/mod_proxy_http mod/mod_ratelimit mod/mod_reqtimeout
        mod/mod_status mod/mod_unique_id mod/module-dict mod/mod_systemd mpm new_features_2_0 platform/ebcdic
        platform/netware platform/rpm platform/win_compiling programs/ab programs/apachectl programs/configure
        server-wide ssl/ssl_intro suexec urlmapping vhosts/details vhosts/fd-limits vhosts/ip-based
        vhosts/name-based socache
        configuring env logs howto/cgi mod/mod_headers glossary stopping dns-caveats mod/mod_dir
        programs/htpasswd mod/mod_alias mod/mod_env developer/debugging programs/other mod/mod_file_cache
        mod/mod_proxy_hcheck mod/mod_usertrack vhosts/examples mod/mod_echo mod/mod_allowmethods
        mod/index programs/index sitemap developer/index ssl/index
    """,
    "de": "bind configuring install invoking stopping vhosts/name-based mod/mod_actions mod/index",
    "fr": "caching suexec sections urlmapping howto/htaccess getting-started misc/security_tips",
    "es": "install howto/cgi howto/htaccess custom-error handler",
    "ja": "sections urlmapping suexec vhosts/name-based howto/htaccess install dso mpm",
    "ko": "bind sections urlmapping howto/htaccess programs/apachectl",
    "zh-cn": "handler developer/documenting mod/index",
    "tr": "caching sections howto/auth mpm",
    "pt-br": "bind install howto/htaccess new_features_2_4",
    "ru": "getting-started",
    "da": "index",
}

PYTHON = "https://docs.python.org/3.11"
PYTHON_ROOT = "usr/share/doc/python3.11/html/"
# Tutorial, HOWTO, FAQ and reference prose that passes; code-heavy pages (curly brackets,
# repeated lines); indexes, the grammar and the search page (JavaScript only).
PYTHON_PAGES = """
    tutorial/appetite tutorial/interpreter tutorial/modules tutorial/floatingpoint tutorial/interactive
    tutorial/whatnow tutorial/index faq/general faq/gui faq/installed faq/windows howto/pyporting
    howto/sockets installing/index distributing/index extending/index extending/windows library/__future__
    library/aifc library/atexit library/email library/email.errors library/email.iterators library/intro
    library/posix library/quopri library/statistics library/struct library/time library/urllib.error
    library/webbrowser reference/import reference/introduction reference/executionmodel
    reference/toplevel_components using/mac using/unix whatsnew/2.0
    tutorial/classes tutorial/errors tutorial/introduction tutorial/stdlib howto/argparse howto/regex
    whatsnew/3.11 library/errno
    howto/index faq/index whatsnew/index reference/grammar library/superseded using/editors genindex-A
    py-modindex search
"""

HANDBOOK = "https://debian-handbook.info/browse"
HANDBOOK_ROOT = "usr/share/doc/debian-handbook/html/"
# English first, so that an untranslated page elsewhere is the copy and not the original.
HANDBOOK_PAGES = {
    "en-US": """
        sect.installation-steps sect.debian-internals sect.becoming-package-maintainer solving-problems
        sect.virtual-private-network sect.searching-packages sect.backup sect.after-first-boot
        sect.customizing-graphical-interface workstation sect.http-ftp-proxy sect.rtc-clients sect.apt-file
        derivative-distributions sect.why-debian-stable sect.aptosid
        sect.apt-get sect.apt-cache sect.source-package-structure unix-services
    """,
    "it-IT": "sect.backup sect.why-debian-stable workstation",
    "fr-FR": "sect.backup solving-problems",
    "de-DE": "sect.why-debian-stable workstation",
    "es-ES": "sect.backup",
    "pt-BR": "sect.after-first-boot",
    "ja-JP": "sect.apt-get",
    "zh-CN": "sect.apt-get",
    "ru-RU": "sect.backup",
    "nl-NL": "sect.why-debian-stable",
}


# ---------------------------------------------------------------- packages


def fetch_packages(folder: Path) -> dict[str, Path]:
    """The pinned .deb files in `folder`, downloaded there if missing; exits if one differs."""
    debs = {}
    for name, (version, sha256) in PACKAGES.items():
        deb = folder / f"{name}_{version}_all.deb"
        if not deb.exists():
            subprocess.run(["apt-get", "download", f"{name}={version}"], cwd=folder, check=True)
        digest = hashlib.sha256(deb.read_bytes()).hexdigest()
        if digest != sha256:
            sys.exit(
                f"{deb.name}: sha256 {digest}, expected {sha256}; update PACKAGES if the package changed"
            )
        debs[name] = deb
    return debs


def deb_files(deb: Path, root: str) -> dict[str, bytes]:
    """The regular files under `root` in a .deb's data tarball, by path below `root`."""
    data = deb.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise ValueError(f"{deb}: not a Debian package")
    offset = 8
    while offset < len(data):  # ar members: a 60-byte header (name, ..., size), the body, padding
        header = data[offset : offset + 60]
        name, size = header[:16].decode().strip().rstrip("/"), int(header[48:58])
        body = data[offset + 60 : offset + 60 + size]
        offset += 60 + size + size % 2
        if name.startswith("data.tar"):
            files = {}
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as tar:
                for member in tar:
                    path = member.name.removeprefix("./")
                    if member.isfile() and path.startswith(root):
                        files[path.removeprefix(root)] = tar.extractfile(member).read()
            return files
    raise ValueError(f"{deb}: no data tarball")


# ---------------------------------------------------------------- the documentation sites


def apache_fetches(files: dict[str, bytes]) -> list[Fetch]:
    # Each language folder (da/, de/, en/, ...) holds every page; by the page's own language.
    by_language: dict[tuple[str, str], bytes] = {}
    for path, body in files.items():
        page = path.partition("/")[2]
        language = re.search(rb'<html[^>]* lang="([^"]+)"', body) if page.endswith(".html") else None
        if language:
            by_language.setdefault((language.group(1).decode(), page.removesuffix(".html")), body)
    fetches = []
    for language, selection in APACHE_PAGES.items():
        for number, page in enumerate(selection.split()):
            body = by_language[(language, page)]
            charset = re.search(rb"charset=([\w-]+)", body).group(1).decode().lower()
            # Every other Latin-1 and EUC-KR page says its charset only in <meta>.
            content_type = (
                "text/html" if charset != "utf-8" and number % 2 else f"text/html; charset={charset}"
            )
            suffix = "" if language == "en" else "." + APACHE_SUFFIX.get(language, language)
            headers = (
                ("Server", "Apache"),
                ("Content-Language", language),
                ("Vary", "negotiate,accept-language"),
            )
            fetches.append(Fetch(f"{APACHE}/{page}.html{suffix}", body, content_type, headers=headers))
    # The same bytes at a second address: the explicit English variant, and the "current" alias.
    for first, second in [
        (f"{APACHE}/mod/mod_status.html", f"{APACHE}/mod/mod_status.html.en"),
        (f"{APACHE}/howto/htaccess.html", "https://httpd.apache.org/docs/current/howto/htaccess.html"),
    ]:
        original = next(f for f in fetches if f.url == first)
        fetches.append(Fetch(second, original.payload, original.content_type, headers=original.headers))
    fetches += [
        Fetch(f"{APACHE}/style/css/manual.css", files["style/css/manual.css"], "text/css"),
        Fetch(
            f"{APACHE}/style/scripts/prettify.min.js",
            files["style/scripts/prettify.min.js"],
            "application/javascript",
        ),
    ]
    return fetches


def python_fetches(files: dict[str, bytes]) -> list[Fetch]:
    headers = (("Server", "nginx"), ("Via", "1.1 varnish"))
    fetches = [
        Fetch(f"{PYTHON}/{page}.html", files[f"{page}.html"], headers=headers)
        for page in PYTHON_PAGES.split()
    ]
    fetches += [
        Fetch("https://docs.python.org/3/tutorial/index.html", files["tutorial/index.html"], headers=headers),
        Fetch(
            f"{PYTHON}/library/asyncio-task.html",
            b"<!DOCTYPE html>\n<html><head><title>503 Backend fetch failed</title></head><body>\n"
            b"<h1>Error 503 Backend fetch failed</h1>\n<p>Backend fetch failed</p>\n"
            b"<h3>Guru Meditation:</h3>\n"
            b"<p>XID: 482113907</p>\n<hr>\n<p>Varnish cache server</p>\n</body></html>\n",
            status="503 Service Unavailable",
            headers=(("Server", "Varnish"), ("Retry-After", "5")),
        ),
    ]
    return fetches


def handbook_fetches(files: dict[str, bytes]) -> list[Fetch]:
    fetches = []
    for language, selection in HANDBOOK_PAGES.items():
        prefix = HANDBOOK if language == "en-US" else f"{HANDBOOK}/{language}"
        for page in selection.split():
            fetches.append(
                Fetch(
                    f"{prefix}/stable/{page}.html",
                    files[f"{language}/{page}.html"],
                    "text/html; charset=UTF-8",
                    headers=(("Server", "Apache"), ("Content-Language", language)),
                )
            )
    return fetches


# ---------------------------------------------------------------- the WARC


def record_id(kind: str, index: int, url: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{kind}:{index}:{url}')}>"


def fetch_time(index: int) -> datetime:
    """The crawl fetches one URL a minute."""
    return CRAWL_START + timedelta(minutes=index)


def warc_date(index: int) -> str:
    return fetch_time(index).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_warcinfo(writer: WARCWriter, filename: str) -> None:
    fields = (
        b"software: Sift data/sample/make_sample.py\r\n"
        b"format: WARC File Format 1.0\r\n"
        b"description: Sift's bundled sample crawl: documentation sites from Debian packages, our own\r\n"
        b" news and blog pages, syndicated copies of a news article\r\n"
        b"robots: classic\r\n"
    )
    headers = {
        "WARC-Record-ID": record_id("warcinfo", 0, filename),
        "WARC-Date": warc_date(0),
        "WARC-Filename": filename,
    }
    record = writer.create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict=headers,
    )
    writer.write_record(record)


def write_request(writer: WARCWriter, fetch: Fetch, index: int, response_id: str) -> None:
    parts = urlsplit(fetch.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    http = StatusAndHeaders(
        f"GET {target} HTTP/1.1",
        [
            ("Host", parts.netloc),
            ("User-Agent", "sift-sample-crawler/1.0"),
            ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            ("Accept-Language", "en-US,en;q=0.5"),
            ("Accept-Encoding", "gzip"),
        ],
        is_http_request=True,
    )
    headers = {
        "WARC-Record-ID": record_id("request", index, fetch.url),
        "WARC-Date": warc_date(index),
        "WARC-Concurrent-To": response_id,
    }
    writer.write_record(
        writer.create_warc_record(fetch.url, "request", http_headers=http, warc_headers_dict=headers)
    )


def write_metadata(writer: WARCWriter, fetch: Fetch, index: int, response_id: str) -> None:
    fetch_ms = 40 + hashlib.sha256(fetch.url.encode()).digest()[0]  # made up, but always the same
    fields = f"fetchTimeMs: {fetch_ms}\r\n".encode()
    headers = {
        "WARC-Record-ID": record_id("metadata", index, fetch.url),
        "WARC-Date": warc_date(index),
        "WARC-Concurrent-To": response_id,
    }
    record = writer.create_warc_record(
        fetch.url,
        "metadata",
        payload=io.BytesIO(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict=headers,
    )
    writer.write_record(record)


def write_fetch(writer: WARCWriter, fetch: Fetch, index: int, full: bool) -> list[str]:
    """The fetch's response, with its request and metadata records if `full`; the types written."""
    headers = [("Date", format_datetime(fetch_time(index), usegmt=True)), *fetch.headers]
    if fetch.content_type is not None:
        headers.insert(1, ("Content-Type", fetch.content_type))
    response_id = record_id("response", index, fetch.url)
    warc_headers = {"WARC-Record-ID": response_id, "WARC-Date": warc_date(index)}
    if fetch.identified_type:
        warc_headers["WARC-Identified-Payload-Type"] = fetch.identified_type
    written = []
    if full:  # the request goes first, pointing at the response to come
        write_request(writer, fetch, index, response_id)
        written.append("request")
    write_response(
        writer,
        fetch.url,
        fetch.payload,
        index,
        status=fetch.status,
        headers=headers,
        warc_headers=warc_headers,
    )
    written.append("response")
    if full and fetch.status.startswith("200"):
        write_metadata(writer, fetch, index, response_id)
        written.append("metadata")
    return written


def crawl_order(queues: list[list[Fetch]]) -> list[Fetch]:
    """One fetch from each host in turn, as a polite crawler works through its host queues."""
    return [fetch for row in zip_longest(*queues) for fetch in row if fetch is not None]


def build(debs: dict[str, Path], out: Path) -> Counter:
    apache = apache_fetches(deb_files(debs["apache2-doc"], APACHE_ROOT))
    python = python_fetches(deb_files(debs["python3.11-doc"], PYTHON_ROOT))
    handbook = handbook_fetches(deb_files(debs["debian-handbook"], HANDBOOK_ROOT))
    ledger = ledger_fetches()
    full = {fetch.url for fetch in ledger}
    # The copies elsewhere are found last, after the pages they copy.
    elsewhere = reprints() + seed_copies(SEED.read_text(encoding="utf-8"))
    fetches = crawl_order([ledger, blog_fetches(), apache, python, handbook]) + elsewhere

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    write_warcinfo(writer, out.name)
    counts = Counter({"warcinfo": 1})
    for index, fetch in enumerate(fetches, 1):
        counts.update(write_fetch(writer, fetch, index, fetch.url in full))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return counts


def write_licenses(debs: dict[str, Path], folder: Path) -> None:
    for name, deb in debs.items():
        copyright_file = deb_files(deb, f"usr/share/doc/{name}/")["copyright"]
        (folder / f"LICENSE-{name}").write_bytes(copyright_file)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--debs", type=Path, help="keep the .deb files here (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=HERE / "sample.warc.gz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.debs or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        debs = fetch_packages(folder.resolve())
        counts = build(debs, args.out)
        write_licenses(debs, args.out.parent)
    records = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    print(f"wrote {sum(counts.values())} records ({records}) to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
