import pc from 'picocolors';

export type Style = ReturnType<typeof pc.createColors>;

/** Colours only for a terminal, never when NO_COLOR is set (FORCE_COLOR forces them). */
export function makeStyle(stream: NodeJS.WriteStream = process.stdout): Style {
  const env = process.env;
  const enabled =
    !('NO_COLOR' in env && env.NO_COLOR !== '') &&
    (('FORCE_COLOR' in env && env.FORCE_COLOR !== '0') || (stream.isTTY === true && env.TERM !== 'dumb'));
  return pc.createColors(enabled);
}
