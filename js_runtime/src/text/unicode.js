/**
 * Character classes as Hugging Face `tokenizers` defines them, as regular-expression source for the `u`
 * flag. `tokenizers` takes its Unicode data from Rust's `char` (whitespace, lowercase), the `regex` crate
 * (the Whitespace pre-tokenizer's `\w`), Oniguruma (Replace patterns), the `unicode_categories` crate
 * (BertNormalizer's controls and marks, BERT punctuation) and an older Unicode normalization crate. Those
 * tables predate the engine's: the `*_NEW` lists hold the code points they do not know yet (assigned in
 * later Unicode versions), which `tokenizers` treats as plain symbols. With them every class below matches
 * the reference on all 1,112,064 code points (tests/test_tokenizer_parity.py sweeps them all).
 * @module
 */

const MARK_NEW =
  '\\u07fd\\u0897-\\u089f\\u08ca-\\u08d3\\u09fe\\u0afa-\\u0aff\\u0b55\\u0c04\\u0c3c\\u0cf3\\u0d00\\u0d3b\\u0d3c\\u0d81\\u0eba\\u0ece\\u1715\\u180f\\u1abf-\\u1add\\u1ae0-\\u1aeb\\u1cf7\\u1df6-\\u1dfa\\ua82c\\ua8ff\\u{10d24}-\\u{10d27}\\u{10d69}-\\u{10d6d}\\u{10eab}\\u{10eac}\\u{10efa}-\\u{10eff}\\u{10f46}-\\u{10f50}\\u{10f82}-\\u{10f85}\\u{11070}\\u{11073}\\u{11074}\\u{110c2}\\u{11145}\\u{11146}\\u{111c9}\\u{111ce}\\u{111cf}\\u{11241}\\u{1133b}\\u{113b8}-\\u{113c0}\\u{113c2}\\u{113c5}\\u{113c7}-\\u{113ca}\\u{113cc}-\\u{113d0}\\u{113d2}\\u{113e1}\\u{113e2}\\u{1145e}\\u{1182c}-\\u{1183a}\\u{11930}-\\u{11935}\\u{11937}\\u{11938}\\u{1193b}-\\u{1193e}\\u{11940}\\u{11942}\\u{11943}\\u{119d1}-\\u{119d7}\\u{119da}-\\u{119e0}\\u{119e4}\\u{11a01}-\\u{11a0a}\\u{11a33}-\\u{11a39}\\u{11a3b}-\\u{11a3e}\\u{11a47}\\u{11a51}-\\u{11a5b}\\u{11a8a}-\\u{11a99}\\u{11b60}-\\u{11b67}\\u{11d31}-\\u{11d36}\\u{11d3a}\\u{11d3c}\\u{11d3d}\\u{11d3f}-\\u{11d45}\\u{11d47}\\u{11d8a}-\\u{11d8e}\\u{11d90}\\u{11d91}\\u{11d93}-\\u{11d97}\\u{11ef3}-\\u{11ef6}\\u{11f00}\\u{11f01}\\u{11f03}\\u{11f34}-\\u{11f3a}\\u{11f3e}-\\u{11f42}\\u{11f5a}\\u{13440}\\u{13447}-\\u{13455}\\u{1611e}-\\u{1612f}\\u{16f4f}\\u{16f7f}-\\u{16f87}\\u{16fe4}\\u{16ff0}\\u{16ff1}\\u{1cf00}-\\u{1cf2d}\\u{1cf30}-\\u{1cf46}\\u{1e08f}\\u{1e130}-\\u{1e136}\\u{1e2ae}\\u{1e2ec}-\\u{1e2ef}\\u{1e4ec}-\\u{1e4ef}\\u{1e5ee}\\u{1e5ef}\\u{1e6e3}\\u{1e6e6}\\u{1e6ee}\\u{1e6ef}\\u{1e6f5}';
/** Non-spacing marks of Unicode 9, which BertNormalizer's (Unicode 8) table lacks. */
const MN_9 =
  '\\u08d4-\\u08e1\\u1885\\u1886\\u1dfb\\ua8c5\\ua9bd\\u{1123e}\\u{11438}-\\u{1143f}\\u{11442}-\\u{11444}\\u{11446}\\u{11c30}-\\u{11c36}\\u{11c38}-\\u{11c3d}\\u{11c3f}\\u{11c92}-\\u{11ca7}\\u{11caa}-\\u{11cb0}\\u{11cb2}\\u{11cb3}\\u{11cb5}\\u{11cb6}\\u{1e000}-\\u{1e006}\\u{1e008}-\\u{1e018}\\u{1e01b}-\\u{1e021}\\u{1e023}\\u{1e024}\\u{1e026}-\\u{1e02a}\\u{1e944}-\\u{1e94a}';
const PUNCT_NEW =
  '\\u061d\\u09fd\\u0a76\\u0c77\\u0c84\\u1b4e\\u1b4f\\u1b7d-\\u1b7f\\u2e43-\\u2e4f\\u2e52-\\u2e5d\\u{10d6e}\\u{10ead}\\u{10ed0}\\u{10f55}-\\u{10f59}\\u{10f86}-\\u{10f89}\\u{113d4}\\u{113d5}\\u{113d7}\\u{113d8}\\u{1144b}-\\u{1144f}\\u{1145a}\\u{1145b}\\u{1145d}\\u{11660}-\\u{1166c}\\u{116b9}\\u{1183b}\\u{11944}-\\u{11946}\\u{119e2}\\u{11a3f}-\\u{11a46}\\u{11a9a}-\\u{11a9c}\\u{11a9e}-\\u{11aa2}\\u{11b00}-\\u{11b09}\\u{11be1}\\u{11c41}-\\u{11c45}\\u{11c70}\\u{11c71}\\u{11ef7}\\u{11ef8}\\u{11f43}-\\u{11f4f}\\u{11fff}\\u{12ff1}\\u{12ff2}\\u{16d6d}-\\u{16d6f}\\u{16e97}-\\u{16e9a}\\u{16fe2}\\u{1e5ff}\\u{1e95e}\\u{1e95f}';
const WORD_NEW =
  '\\u088f\\u0c5c\\u0cdc\\u1acf-\\u1add\\u1ae0-\\u1aeb\\ua7ce\\ua7cf\\ua7d2\\ua7d4\\ua7f1\\u{10940}-\\u{10959}\\u{10ec5}-\\u{10ec7}\\u{10efa}\\u{10efb}\\u{11b60}-\\u{11b67}\\u{11db0}-\\u{11ddb}\\u{11de0}-\\u{11de9}\\u{16ea0}-\\u{16eb8}\\u{16ebb}-\\u{16ed3}\\u{16ff2}-\\u{16ff6}\\u{187f8}-\\u{187ff}\\u{18d09}-\\u{18d1e}\\u{18d80}-\\u{18df2}\\u{1e6c0}-\\u{1e6de}\\u{1e6e0}-\\u{1e6f5}\\u{1e6fe}\\u{1e6ff}\\u{2b73a}-\\u{2b73f}\\u{2cea2}-\\u{2cead}\\u{323b0}-\\u{33479}';
const NORM_NEW =
  '\\u32ff\\ua7f1-\\ua7f4\\uab69\\u{105c9}\\u{105e4}\\u{10781}-\\u{10785}\\u{10787}-\\u{107b0}\\u{107b2}-\\u{107ba}\\u{11383}\\u{11385}\\u{1138e}\\u{11391}\\u{113c5}\\u{113c7}\\u{113c8}\\u{11938}\\u{16121}-\\u{16128}\\u{16d68}-\\u{16d6a}\\u{1ccd6}-\\u{1ccf9}\\u{1e030}-\\u{1e06d}\\u{1f16c}\\u{1fbf0}-\\u{1fbf9}';

/**
 * A class of the reference's: the engine's `set` plus `add` (class contents) as `fast`, for texts with
 * none of the code points `skip` lists (all but rare ones); as `exact`, one code point of `set` not in
 * `skip`, or of `add` (a group, slower: a lookahead at every position); `unknown` finds a `skip` one.
 * @param {string} set @param {string} skip @param {string} [add]
 */
const table = (set, skip, add = '') => ({
  fast: set + add,
  exact: `(?:(?![${skip}])[${set}]${add ? `|[${add}]` : ''})`,
  unknown: new RegExp(`[${skip}]`, 'u'),
});

/** White_Space: Rust's `char::is_whitespace`, the `regex` crate's and Oniguruma's `\s`. */
export const SPACE = '\\p{White_Space}';
/** The `regex` crate's Unicode `\w` (the Whitespace pre-tokenizer's `\w+|[^\w\s]+`). */
export const WORD = table('\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}', WORD_NEW);
/** Oniguruma's Unicode `\w` and `\d` (Replace patterns): no Join_Control; a few Latin-1 digits and fractions. */
export const ONIG_WORD = table('\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\xb2\\xb3\\xb9\\xbc-\\xbe', WORD_NEW).exact;
export const ONIG_DIGIT = table('\\p{Nd}', WORD_NEW).exact;
/** BERT punctuation: ASCII punctuation or Unicode P* (and two that were P* in the crate's version). */
export const PUNCT = table('!-\\/:-@\\[-`{-~\\p{P}', PUNCT_NEW, '\\u166d\\u{111c9}');
/** The marks the StripAccents normalizer removes (M of Unicode 9, and two that were marks then). */
export const MARK = table('\\p{M}', MARK_NEW, '\\u1cf2\\u1cf3');
/** The non-spacing marks BertNormalizer's strip_accents removes (Mn of Unicode 8, and two that were Mn then). */
export const MARK_NONSPACING = table('\\p{Mn}', MARK_NEW + MN_9, '\\u1734\\u{1171e}');
/** Code points the normalization tables of `tokenizers` leave as they are. */
export const NORM_KEEP = new RegExp(`([${NORM_NEW}])`, 'u');
/** BertNormalizer's clean_text drops NUL, U+FFFD and Cc/Cf/Co except tab, LF, CR and format controls it predates. */
const CONTROL = /[\0\ufffd\p{Cc}\p{Cf}\p{Co}]/u;
const CONTROL_KEPT = /[\t\n\r\u0890\u0891\u08e2\u{110cd}\u{13430}-\u{1343f}]/u;

/**
 * Whether BertNormalizer's clean_text removes `c` (one code point).
 * @param {string} c
 */
export function isControl(c) {
  return CONTROL.test(c) && !CONTROL_KEPT.test(c);
}
