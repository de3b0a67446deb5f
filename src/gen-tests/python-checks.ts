/**
 * The checks of the generated test, as Python: Chrome's checks on a preflight's answer and on a response,
 * in Chrome's order (src/model/engines/chrome.ts), written for this request (with or without credentials,
 * with or without a method or header names to find), and the helpers that write a failure's message.
 */
import type { ConsoleTemplates } from './console.js';

export interface ChecksInput {
  credentials: boolean;
  /** Some request of the chain names a method `Access-Control-Allow-Methods` must allow. */
  checksMethod: boolean;
  /** Some request of the chain has header names `Access-Control-Allow-Headers` must allow. */
  checksHeaders: boolean;
  /** Some request of the chain has a preflight. */
  preflights: boolean;
  console: ConsoleTemplates;
}

/** The Access-Control-Allow-Origin (and -Credentials) check, as Chrome's `CheckAccess` makes it. */
function accessLines(credentials: boolean, prefix: string): string[] {
  const p = prefix ? `"${prefix}" + ` : '';
  const lines = ['    allow_origin = response.headers.get("access-control-allow-origin")'];
  if (credentials) {
    lines.push(
      '    # With credentials, the page\'s own origin is the only value that passes: "*" does not.',
      `    assert allow_origin != "*", blocked("${prefix}WildcardOriginNotAllowed", response, url)`,
      `    assert allow_origin is not None, blocked("${prefix}MissingAllowOriginHeader", response, url)`,
      `    assert allow_origin == ORIGIN, blocked(${p}origin_mismatch(allow_origin), response, url, allow_origin)`,
      '    allow_credentials = response.headers.get("access-control-allow-credentials")',
      '    assert allow_credentials == "true", blocked(',
      `        "${prefix}InvalidAllowCredentials", response, url, allow_credentials or ""`,
      '    )',
    );
  } else {
    lines.push(
      `    assert allow_origin is not None, blocked("${prefix}MissingAllowOriginHeader", response, url)`,
      '    assert allow_origin in (ORIGIN, "*"), blocked(',
      `        ${p}origin_mismatch(allow_origin), response, url, allow_origin`,
      '    )',
    );
  }
  return lines;
}

function preflightCheck(input: ChecksInput): string[] {
  const { credentials } = input;
  const lines = [
    'def check_preflight(response, url, expected):',
    '    """The checks Chrome makes on the answer to a preflight, in its order."""',
    '    assert not is_redirect(response), blocked("PreflightDisallowedRedirect", response, url)',
    ...accessLines(credentials, 'Preflight'),
    '    assert 200 <= response.status_code <= 299, blocked("PreflightInvalidStatus", response, url)',
    '    methods = list_header(response, "access-control-allow-methods")',
    '    assert all(map(is_token, methods)), blocked("InvalidAllowMethodsPreflightResponse", response, url)',
    '    names = list_header(response, "access-control-allow-headers")',
    '    assert all(map(is_token, names)), blocked("InvalidAllowHeadersPreflightResponse", response, url)',
  ];
  if (input.checksMethod) {
    lines.push('    method = expected["method"]');
    if (credentials) {
      lines.push(
        '    # With credentials, "*" is a method name, not a wildcard.',
        '    assert method is None or method in methods, blocked(',
      );
    } else lines.push('    assert method is None or method in methods or "*" in methods, blocked(');
    lines.push('        "MethodDisallowedByPreflightResponse", response, url, method', '    )');
  }
  if (input.checksHeaders) {
    lines.push('    allowed = {name.lower() for name in names}');
    const each = [
      'for name in expected["header_names"]:',
      '    assert name in allowed, blocked("HeaderDisallowedByPreflightResponse", response, url, name)',
    ];
    if (credentials) {
      lines.push(
        '    # With credentials, "*" is a header name, not a wildcard.',
        ...each.map((l) => `    ${l}`),
      );
    } else {
      lines.push('    if "*" not in allowed:', ...each.map((l) => `        ${l}`));
      if (input.console.authorizationWarning) {
        lines.push(
          '    elif "authorization" in expected["header_names"]:',
          '        # "*" covers every name but Authorization (the Fetch standard; Chrome still lets it pass, with a',
          '        # warning).',
          '        assert "authorization" in allowed, blocked("AuthorizationCoveredByWildcard", response, url)',
        );
      }
    }
  }
  return lines;
}

function responseCheck(input: ChecksInput): string[] {
  return [
    'def check_response(response, url):',
    '    """The check Chrome makes on the answer to the request (and to each redirect it follows)."""',
    ...accessLines(input.credentials, ''),
  ];
}

const HELPERS = `
def send(client, method, url, headers, body=None):
    """One request, as the browser sends it; redirects are the test's to follow, as the browser does."""
    client.cookies.clear()  # the browser sends only the Cookie header written above
    return client.request(method, url, headers=headers, content=body, follow_redirects=False)


def is_redirect(response):
    return response.status_code in REDIRECT_STATUSES and "location" in response.headers


def list_header(response, name):
    """A list header split as Chrome splits it: on commas, each item trimmed, empty items skipped."""
    value = response.headers.get(name)
    return [item.strip(" \\t") for item in (value or "").split(",") if item.strip(" \\t")]


def is_token(item):
    return re.fullmatch(r"[!#$%&'*+\\-.^_\`|~0-9A-Za-z]+", item) is not None


def origin_of(url):
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme))


def origin_mismatch(value):
    """Chromium's name for an Access-Control-Allow-Origin that is not the page's origin."""
    if " " in value or "," in value:
        return "MultipleAllowOriginValues"
    if value == "null" or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        return "AllowOriginMismatch"
    return "InvalidAllowOriginValue"


def encode_hint(hint):
    """Chromium's EncodeHint: printable ASCII as it is, anything else as \\\\uXXXX."""
    return "".join(c if " " <= c <= "~" else "\\\\u%04X" % ord(c) for c in hint)


def cause_of(check, response):
    """The cause a failed check names: a server error, else the one the source predicts, else the usual one."""
    if check == "MissingAllowOriginHeader" and response.status_code >= 500:
        return "error-response-without-cors"
    if check in PREDICTED:
        return PREDICTED[check]
    if check.startswith("Preflight") and response.text.startswith("Disallowed CORS "):
        # Starlette's refusal names what it refused: "Disallowed CORS origin, method, headers".
        refused = response.text[len("Disallowed CORS ") :].split(",")[0].strip()
        return STARLETTE_REFUSALS.get(refused, CAUSES[check])
    return CAUSES[check]


def describe(response):
    """The status, the CORS headers and the start of the body of an answer."""
    parts = [f"{response.status_code} {response.reason_phrase}".strip()]
    names = [name for name, _ in response.headers.multi_items()]
    for name, value in response.headers.multi_items():
        if name.lower().startswith("access-control-") or name.lower() == "location":
            parts.append(f"{name}: {value}")
    if "access-control-allow-origin" not in [name.lower() for name in names]:
        parts.append("no Access-Control-Allow-Origin")
    body = response.text[:200].replace("\\n", " ")
    if body:
        parts.append(f"body {body!r}")
    return "; ".join(parts)


def blocked(check, response, url, hint=""):
    """A failed check's message: the browser's console line, the cause, and what the app answered."""
    if check in CONSOLE:
        head = CONSOLE_HEAD if url == URL else CONSOLE_HEAD_REDIRECTED
        line = (head + CONSOLE[check]).replace("@@url@@", url).replace("@@hint@@", encode_hint(hint))
        said = f"Chrome: {line}"
    elif check == "AuthorizationCoveredByWildcard":
        said = f"Chrome warns: {AUTHORIZATION_WARNING} The Fetch standard blocks the request."
    elif check == "RedirectToOtherOrigin":
        said = f"The request was redirected to {hint}, another origin: the browser follows it there; this test reaches only the app."
    else:
        said = f"The request was redirected more than {MAX_REDIRECTS} times: Chrome fails it (net::ERR_TOO_MANY_REDIRECTS)."
    return f"{said}\\n  cause: {cause_of(check, response)}; see docs/causes.md\\n  the app answered: {describe(response)}"
`;

/** The check functions and helpers of the generated module. */
export function checkFunctions(input: ChecksInput): string {
  const parts = [
    ...(input.preflights ? [preflightCheck(input).join('\n')] : []),
    responseCheck(input).join('\n'),
  ];
  return `${parts.join('\n\n\n')}\n\n${HELPERS.trimEnd()}`;
}
