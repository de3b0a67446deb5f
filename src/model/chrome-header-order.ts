/**
 * The order in which Chromium walks a `fetch()`'s request headers when it checks them against a
 * preflight's `Access-Control-Allow-Headers`, and so which header its console message names when
 * several are missing.
 *
 * `network::cors::PreflightResult::EnsureAllowedCrossOriginHeaders` reports the first name of
 * `CorsUnsafeNotForbiddenRequestHeaderNames(headers.GetHeaderVector(), …)` that is not allowed. That
 * vector is the request's `net::HttpRequestHeaders`, which `request_conversion.cc` fills by iterating
 * Blink's `HTTPHeaderMap`: a `WTF::HashMap<AtomicString, AtomicString, CaseFoldingHashTraits>`. So the
 * order is hash-table order, reproduced here from these Chromium sources:
 *
 * - `third_party/blink/renderer/core/fetch/fetch_manager.cc`: the page's headers are added to the
 *   map in the order of `FetchHeaderList` (a `std::multimap` sorted by ASCII case-insensitive name;
 *   a string body has already added `Content-Type: text/plain;charset=UTF-8` to it). Blink then adds
 *   the low-entropy client hints (`frame_fetch_context.cc`: `sec-ch-ua`, `sec-ch-ua-mobile`,
 *   `sec-ch-ua-platform`) and `User-Agent`. `Accept`, `Sec-Fetch-*`, `Referer` and the rest are
 *   appended later, outside the map, so they cannot reorder the page's headers.
 * - `wtf/text/case_folding_hash.h` + `wtf/text/string_hasher.h` + `third_party/rapidhash/rapidhash.h`:
 *   a key's hash is rapidhash (default seed and secrets) over the key as UTF-16 code units, each
 *   case-folded (ASCII letters lowercased), keeping the low 24 bits (0 becomes 0x800000).
 * - `wtf/hash_table.h` + `wtf/hash_traits.h`: open addressing, first table of 8 buckets, bucket
 *   `hash & (size - 1)`, collisions probed at +1, +2, +3, … (triangular steps); after an insertion
 *   the table doubles when `keys * 2 >= size`, re-inserting the old buckets in index order.
 *   Iteration walks the buckets in index order.
 */

const MASK64 = (1n << 64n) - 1n;
const RAPID_SEED = 0xbdd89aa982704029n;
const RAPID_SECRET = [0x2d358dccaa6c78a5n, 0x8bb84b93962eacc9n, 0x4b33a62ed433d4a3n] as const;

/** 64x64 -> 128-bit product as [low, high]. */
function multiply128(a: bigint, b: bigint): [bigint, bigint] {
  const product = a * b;
  return [product & MASK64, (product >> 64n) & MASK64];
}

/** rapidhash's `rapid_mix`: the XOR of the 128-bit product's halves. */
function mix(a: bigint, b: bigint): bigint {
  const [low, high] = multiply128(a, b);
  return low ^ high;
}

/**
 * Reads a Latin-1 string the way `CaseFoldingHashReader<LChar>` feeds rapidhash: every character
 * becomes one case-folded 16-bit unit, little-endian. Offsets are in characters.
 */
class CaseFoldedUtf16 {
  readonly #units: bigint[];

  constructor(text: string) {
    this.#units = [...text].map((ch) => BigInt(foldLatin1(ch.charCodeAt(0))));
  }

  /** Two characters: 32 bits. */
  read32(at: number): bigint {
    return this.#unit(at) | (this.#unit(at + 1) << 16n);
  }

  /** Four characters: 64 bits. */
  read64(at: number): bigint {
    return this.read32(at) | (this.read32(at + 2) << 32n);
  }

  /** One character: 16 bits (`ReadSmall` for a one-character name). */
  readOne(at: number): bigint {
    return this.#unit(at);
  }

  #unit(at: number): bigint {
    const unit = this.#units[at];
    if (unit === undefined)
      throw new RangeError(`read past the end of a ${this.#units.length}-character name`);
    return unit;
  }
}

/** `StringImpl::kLatin1CaseFoldTable` for the characters a header name can hold (ASCII tokens). */
function foldLatin1(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code + 0x20;
  if (code > 0x7f) throw new RangeError('header names are ASCII');
  return code;
}

/**
 * Chromium's rapidhash over a header name read as case-folded UTF-16 (`len` is the number of bytes
 * produced, twice the number of characters; every input offset is half the produced offset).
 */
function caseFoldingRapidhash(name: string): bigint {
  const input = new CaseFoldedUtf16(name);
  const len = BigInt(name.length * 2);
  const [s0, s1, s2] = RAPID_SECRET;
  let seed = RAPID_SEED ^ mix(RAPID_SEED ^ s0, s1) ^ len;
  let a: bigint;
  let b: bigint;
  const produced = name.length * 2;
  if (produced <= 16) {
    if (produced >= 4) {
      const last = name.length - 2;
      a = (input.read32(0) << 32n) | input.read32(last);
      const delta = produced >= 8 ? 2 : 0;
      b = (input.read32(delta) << 32n) | input.read32(last - delta);
    } else if (produced > 0) {
      // `ReadSmall` with k = 2: the one folded character.
      a = input.readOne(0);
      b = 0n;
    } else {
      a = 0n;
      b = 0n;
    }
  } else {
    let p = 0;
    let remaining = produced;
    if (remaining > 48) {
      let see1 = seed;
      let see2 = seed;
      while (remaining >= 48) {
        seed = mix(input.read64(p) ^ s0, input.read64(p + 4) ^ seed);
        see1 = mix(input.read64(p + 8) ^ s1, input.read64(p + 12) ^ see1);
        see2 = mix(input.read64(p + 16) ^ s2, input.read64(p + 20) ^ see2);
        p += 24;
        remaining -= 48;
      }
      seed ^= see1 ^ see2;
    }
    if (remaining > 16) {
      seed = mix(input.read64(p) ^ s2, input.read64(p + 4) ^ seed ^ s1);
      if (remaining > 32) seed = mix(input.read64(p + 8) ^ s2, input.read64(p + 12) ^ seed);
    }
    a = input.read64(p + (remaining - 16) / 2);
    b = input.read64(p + (remaining - 8) / 2);
  }
  [a, b] = multiply128(a ^ s1, b ^ seed);
  return mix(a ^ s0 ^ len, b ^ s1);
}

/** `CaseFoldingHash::GetHash` for a header name: the rapidhash's low 24 bits, never 0. */
export function blinkHeaderNameHash(name: string): number {
  const hash = Number(caseFoldingRapidhash(name) & 0xffffffn);
  return hash === 0 ? 0x800000 : hash;
}

/** `WTF::HashTable`'s first table size (`HashTraits::kMinimumTableSize`). */
const MINIMUM_TABLE_SIZE = 8;

/** A `WTF::HashMap` keyed case-insensitively, reduced to where each key sits. */
class BlinkHeaderMap {
  #buckets: (string | undefined)[] = new Array(MINIMUM_TABLE_SIZE).fill(undefined);
  #count = 0;

  /** `HTTPHeaderMap::Set` / `Add`: a key already present keeps its bucket. */
  add(name: string): void {
    if (this.#place(this.#buckets, name)) {
      this.#count++;
      if (this.#count * 2 >= this.#buckets.length) this.#grow();
    }
  }

  /** Names in iteration order: bucket index order. */
  names(): string[] {
    return this.#buckets.filter((name): name is string => name !== undefined);
  }

  /** Puts `name` in its bucket; false when an equal key is already there. */
  #place(buckets: (string | undefined)[], name: string): boolean {
    const mask = buckets.length - 1;
    const lower = name.toLowerCase();
    let index = blinkHeaderNameHash(name) & mask;
    for (let probe = 1; ; probe++) {
      const occupant = buckets[index];
      if (occupant === undefined) {
        buckets[index] = name;
        return true;
      }
      if (occupant.toLowerCase() === lower) return false;
      index = (index + probe) & mask;
    }
  }

  /** `Expand` -> `Rehash`: double the table, re-inserting the old buckets in index order. */
  #grow(): void {
    const bigger: (string | undefined)[] = new Array(this.#buckets.length * 2).fill(undefined);
    for (const name of this.#buckets) if (name !== undefined) this.#place(bigger, name);
    this.#buckets = bigger;
  }
}

/** Headers Blink adds to the map after the page's own (client hints, then `User-Agent`). */
const BLINK_ADDED_REQUEST_HEADERS = ['sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'User-Agent'];

/** ASCII case-insensitive byte order, as `FetchHeaderList`'s `ByteCaseInsensitiveCompare`. */
function compareCaseInsensitive(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The page's request header names (as `fetch()` keeps them: forbidden names already dropped, any
 * spelling, repeats allowed) in the order Chromium's CORS preflight check walks them. Include
 * `Content-Type` when a string body gives the request one. Names come back lowercased, once each.
 */
export function chromeRequestHeaderOrder(names: readonly string[]): string[] {
  const map = new BlinkHeaderMap();
  for (const name of [...names].sort(compareCaseInsensitive)) map.add(name);
  for (const name of BLINK_ADDED_REQUEST_HEADERS) map.add(name);
  const page = new Set(names.map((name) => name.toLowerCase()));
  return map
    .names()
    .map((name) => name.toLowerCase())
    .filter((name) => page.has(name));
}
