import { describe, expect, it } from 'vitest';
import { withoutManyComments } from '../../../src/python/comments.js';

/** 300 lines of commented-out code, then real code that holds `#` inside strings. */
const COMMENTED = Array.from({ length: 300 }, (_, i) => `# old ${i}: allow_origins=["http://old"]`);
const CODE = ['u = "http://a/#frag"  # tail', "v = '''", '#not a comment', "'''", 'w = 1'];
const blank = (line: string) => ' '.repeat(line.length);

describe('withoutManyComments', () => {
  it.each([
    {
      name: 'few comments: the text as it is',
      lines: ['x = 1  # one', 'y = "#"'],
      expected: ['x = 1  # one', 'y = "#"'],
    },
    {
      name: 'many comments: each blanked to spaces, every # inside a string kept',
      lines: [...COMMENTED, ...CODE],
      expected: [
        ...COMMENTED.map(blank),
        `u = "http://a/#frag"  ${blank('# tail')}`,
        "v = '''",
        '#not a comment',
        "'''",
        'w = 1',
      ],
    },
  ])('$name', ({ lines, expected }) => {
    const text = `${lines.join('\n')}\n`;
    const out = withoutManyComments(text);
    // Same length, same lines: every offset the parser reports stays true of the file.
    expect(out).toHaveLength(text.length);
    expect(out).toBe(`${expected.join('\n')}\n`);
  });
});
