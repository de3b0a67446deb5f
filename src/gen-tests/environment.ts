/**
 * The environment the server gets, in the generated test: the values cors-doctor's project reader gives
 * `os.getenv` and settings (src/python/read-project.ts, ProjectEnv): compose `environment:` first, then
 * compose `env_file:` files, then the `ENV` of a Dockerfile next to the app or above it, then the `.env`
 * next to the app or above it. The test reads these files when it runs (the same rules as
 * src/python/env.ts), so a fix written there shows.
 */
import { posix } from 'node:path';
import { pyStrings } from './python-literals.js';

/** Whether `file` (relative to the project root) is in `dir` or a folder above it. */
export function appliesTo(file: string, dir: string): boolean {
  const fileDir = posix.dirname(file) === '.' ? '' : posix.dirname(file);
  return fileDir === '' || dir === fileDir || dir.startsWith(`${fileDir}/`);
}

/** Dockerfiles that apply to a module in `dir`, nearest first (the image the app runs in). */
export function dockerfilesFor(files: string[], dir: string): string[] {
  return files
    .filter((file) => appliesTo(file, dir))
    .sort((a, b) => b.split('/').length - a.split('/').length);
}

/** The `.env` files that apply to a module in `dir` (relative to the project root), nearest first. */
export function dotenvChain(dir: string): string[] {
  const out: string[] = [];
  let current = dir === '.' ? '' : dir;
  for (;;) {
    out.push(current ? `${current}/.env` : '.env');
    if (!current) return out;
    current = posix.dirname(current) === '.' ? '' : posix.dirname(current);
  }
}

/** Compose files in the order the project reader reads them: shallowest first, then by path. */
export function orderComposeFiles(files: string[]): string[] {
  return [...files].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}

const READERS = `
def project_environment():
    """The variables the server gets from the project's files, as cors-doctor reads them."""
    values = {}
    for path in reversed(DOTENV_FILES):
        values.update(read_dotenv(path))
    for path in reversed(DOCKERFILES):
        values.update(read_dockerfile(path))
    environment, env_files = {}, []
    for path in COMPOSE_FILES:
        found, files = read_compose(path)
        environment.update(found)
        env_files += files
    for path in reversed(env_files):
        values.update(read_dotenv(path))
    values.update(environment)
    return values


def read_text(path):
    try:
        with open(os.path.join(PROJECT, path), encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return None


def closing_quote(text, quote):
    i = 0
    while i < len(text):
        if text[i] == "\\\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1


def read_dotenv(path):
    """NAME=value lines of a .env file (python-dotenv's common cases); {} when there is none."""
    text = read_text(path)
    lines = re.split(r"\\r?\\n", text) if text is not None else []
    values, i = {}, 0
    while i < len(lines):
        match = re.match(r"\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\\s*=\\s*(.*)$", lines[i])
        i += 1
        if not match:
            continue
        name, rest = match.groups()
        if rest[:1] in ("'", '"'):
            quote, body = rest[0], rest[1:]
            end = closing_quote(body, quote)
            while end < 0 and i < len(lines):
                body += "\\n" + lines[i]
                i += 1
                end = closing_quote(body, quote)
            value = body if end < 0 else body[:end]
            if quote == '"':
                escapes = {"n": "\\n", "r": "\\r", "t": "\\t"}
                value = re.sub(r'\\\\([nrt"\\\\])', lambda m: escapes.get(m.group(1), m.group(1)), value)
        else:
            value = re.split(r"\\s#", rest, maxsplit=1)[0].strip()
        values[name] = value
    return values


def read_dockerfile(path):
    """The ENV of a Dockerfile's last stage: ENV KEY=value KEY2="a b", and ENV KEY value."""
    text = read_text(path)
    lines = re.split(r"\\r?\\n", text) if text is not None else []
    values, i = {}, 0
    while i < len(lines):
        instruction = lines[i]
        while re.search(r"\\\\\\s*$", instruction) and i + 1 < len(lines):
            i += 1
            instruction = re.sub(r"\\\\\\s*$", "", instruction) + " " + lines[i].strip()
        i += 1
        match = re.match(r"\\s*(FROM|ENV)\\s+(.*)$", instruction, re.IGNORECASE)
        if not match:
            continue
        if match.group(1).upper() == "FROM":
            values = {}
            continue
        rest = match.group(2).strip()
        words = docker_words(rest)
        if words and "=" not in words[0]:
            values[words[0]] = rest[rest.index(words[0]) + len(words[0]) :].strip()
            continue
        for word in words:
            name, equals, value = word.partition("=")
            if equals and name:
                values[name] = value
    return values


def docker_words(text):
    """Dockerfile words: whitespace separates, quotes group and are removed, a backslash escapes."""
    words, current, quote, started, i = [], "", None, False, 0
    while i < len(text):
        c = text[i]
        if c == "\\\\" and i + 1 < len(text) and quote != "'":
            i += 1
            current += text[i]
            started = True
        elif quote:
            if c == quote:
                quote = None
            else:
                current += c
        elif c in "\\"'":
            quote, started = c, True
        elif c.isspace():
            if started:
                words.append(current)
            current, started = "", False
        else:
            current += c
            started = True
        i += 1
    if started:
        words.append(current)
    return words


def unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r'\\\\(["\\\\])', r"\\1", text[1:-1])
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return re.sub(r"\\s+#.*$", "", text)


def read_compose(path):
    """environment: and env_file: of every service of a compose file, and the files env_file names."""
    text = read_text(path)
    if text is None:
        return {}, []
    base = posixpath.dirname(path)
    dotenv = read_dotenv(posixpath.join(base, ".env"))

    def substitute(value):
        def one(match):
            name, operator, default = match.group(1), match.group(2), match.group(3) or ""
            found = dotenv.get(name)
            if operator == ":-":
                return found if found else default
            if operator == "-":
                return found if found is not None else default
            return found if found is not None else match.group(0)

        return re.sub(r"\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\\}", one, value)

    environment, env_files = {}, []

    def add_pair(pair, strip_name):
        name, equals, value = unquote(pair).partition("=")
        name = name.strip() if strip_name else name
        if equals and name:
            environment[name] = substitute(value)

    lines = re.split(r"\\r?\\n", text)
    for i, line in enumerate(lines):
        match = re.match(r"(\\s*)(environment|env_file):\\s*(.*)$", line)
        if not match:
            continue
        indent, key = len(match.group(1)), match.group(2)
        inline = re.sub(r"\\s+#.*$", "", match.group(3)).strip()
        if inline:
            items = inline[1:-1].split(",") if inline.startswith("[") else None
            if key == "env_file":
                for item in items if items is not None else [inline]:
                    if item.strip():
                        env_files.append(posixpath.normpath(posixpath.join(base, unquote(item))))
            elif items is not None:
                for item in items:
                    add_pair(item, False)
            continue
        for following in lines[i + 1 :]:
            item = following.strip()
            if not item or item.startswith("#"):
                continue
            if len(following) - len(following.lstrip()) <= indent:
                break
            if key == "env_file":
                found = re.match(r"-\\s*(?:path:\\s*)?(.+)$", item) or re.match(r"path:\\s*(.+)$", item)
                if found:
                    env_files.append(posixpath.normpath(posixpath.join(base, unquote(found.group(1)))))
            elif item.startswith("-"):
                add_pair(item[1:], True)
            else:
                pair = re.match(r"([A-Za-z_][A-Za-z0-9_.-]*)\\s*:\\s*(.*)$", item)
                if pair:
                    environment[pair.group(1)] = substitute(unquote(pair.group(2)))
    return environment, env_files
`;

/** Where the environment comes from: compose files, and, nearest first, Dockerfiles and `.env` files. */
export interface EnvironmentSources {
  composeFiles: string[];
  dockerfiles: string[];
  dotenvFiles: string[];
}

/** The environment block of the generated module (constants and readers). */
export function environmentBlock({ composeFiles, dockerfiles, dotenvFiles }: EnvironmentSources): string {
  return [
    '# The environment the server gets, read from the project when the tests run (as cors-doctor reads it):',
    '# compose `environment:` first, then the files compose names in `env_file:`, then the ENV of the',
    '# Dockerfile next to the app or above it, then the .env next to the app or in a folder above it.',
    `COMPOSE_FILES = ${pyStrings(orderComposeFiles(composeFiles))}`,
    `DOCKERFILES = ${pyStrings(dockerfiles)}`,
    `DOTENV_FILES = ${pyStrings(dotenvFiles)}`,
    '',
    READERS.trimEnd(),
  ].join('\n');
}
