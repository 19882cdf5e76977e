/**
 * The standard VQA answer normalisation, ported from EvalAI's answer processor as LLaVA uses it for
 * TextVQA: haotian-liu/LLaVA, llava/eval/m4c_evaluator.py `EvalAIAnswerProcessor` (itself copied from
 * facebookresearch/mmf, pythia/tasks/processors.py). The lists below are copied verbatim, quirks
 * included, because the reported accuracies were computed with them:
 * - contraction keys with capitals ("Im", "Ive") never match, since the text is lowercased first;
 * - "somebody'd" maps to "somebodyd";
 * - PERIOD_STRIP's "(?!<=\d)" is a lookahead, not the lookbehind it looks like, so any "." not
 *   followed by a digit goes; and the original passes re.UNICODE as the *count* argument of
 *   re.sub, so at most 32 periods are removed;
 * - a punctuation mark next to a space is deleted, otherwise replaced by a space ("a/b" becomes
 *   "a b", and then the article "a" is dropped).
 */

const CONTRACTIONS: ReadonlyMap<string, string> = new Map([
  ['aint', "ain't"],
  ['arent', "aren't"],
  ['cant', "can't"],
  ['couldve', "could've"],
  ['couldnt', "couldn't"],
  ["couldn'tve", "couldn't've"],
  ["couldnt've", "couldn't've"],
  ['didnt', "didn't"],
  ['doesnt', "doesn't"],
  ['dont', "don't"],
  ['hadnt', "hadn't"],
  ["hadnt've", "hadn't've"],
  ["hadn'tve", "hadn't've"],
  ['hasnt', "hasn't"],
  ['havent', "haven't"],
  ['hed', "he'd"],
  ["hed've", "he'd've"],
  ["he'dve", "he'd've"],
  ['hes', "he's"],
  ['howd', "how'd"],
  ['howll', "how'll"],
  ['hows', "how's"],
  ["Id've", "I'd've"],
  ["I'dve", "I'd've"],
  ['Im', "I'm"],
  ['Ive', "I've"],
  ['isnt', "isn't"],
  ['itd', "it'd"],
  ["itd've", "it'd've"],
  ["it'dve", "it'd've"],
  ['itll', "it'll"],
  ["let's", "let's"],
  ['maam', "ma'am"],
  ['mightnt', "mightn't"],
  ["mightnt've", "mightn't've"],
  ["mightn'tve", "mightn't've"],
  ['mightve', "might've"],
  ['mustnt', "mustn't"],
  ['mustve', "must've"],
  ['neednt', "needn't"],
  ['notve', "not've"],
  ['oclock', "o'clock"],
  ['oughtnt', "oughtn't"],
  ["ow's'at", "'ow's'at"],
  ["'ows'at", "'ow's'at"],
  ["'ow'sat", "'ow's'at"],
  ['shant', "shan't"],
  ["shed've", "she'd've"],
  ["she'dve", "she'd've"],
  ["she's", "she's"],
  ['shouldve', "should've"],
  ['shouldnt', "shouldn't"],
  ["shouldnt've", "shouldn't've"],
  ["shouldn'tve", "shouldn't've"],
  ["somebody'd", 'somebodyd'],
  ["somebodyd've", "somebody'd've"],
  ["somebody'dve", "somebody'd've"],
  ['somebodyll', "somebody'll"],
  ['somebodys', "somebody's"],
  ['someoned', "someone'd"],
  ["someoned've", "someone'd've"],
  ["someone'dve", "someone'd've"],
  ['someonell', "someone'll"],
  ['someones', "someone's"],
  ['somethingd', "something'd"],
  ["somethingd've", "something'd've"],
  ["something'dve", "something'd've"],
  ['somethingll', "something'll"],
  ['thats', "that's"],
  ['thered', "there'd"],
  ["thered've", "there'd've"],
  ["there'dve", "there'd've"],
  ['therere', "there're"],
  ['theres', "there's"],
  ['theyd', "they'd"],
  ["theyd've", "they'd've"],
  ["they'dve", "they'd've"],
  ['theyll', "they'll"],
  ['theyre', "they're"],
  ['theyve', "they've"],
  ['twas', "'twas"],
  ['wasnt', "wasn't"],
  ["wed've", "we'd've"],
  ["we'dve", "we'd've"],
  ['weve', "we've"],
  ['werent', "weren't"],
  ['whatll', "what'll"],
  ['whatre', "what're"],
  ['whats', "what's"],
  ['whatve', "what've"],
  ['whens', "when's"],
  ['whered', "where'd"],
  ['wheres', "where's"],
  ['whereve', "where've"],
  ['whod', "who'd"],
  ["whod've", "who'd've"],
  ["who'dve", "who'd've"],
  ['wholl', "who'll"],
  ['whos', "who's"],
  ['whove', "who've"],
  ['whyll', "why'll"],
  ['whyre', "why're"],
  ['whys', "why's"],
  ['wont', "won't"],
  ['wouldve', "would've"],
  ['wouldnt', "wouldn't"],
  ["wouldnt've", "wouldn't've"],
  ["wouldn'tve", "wouldn't've"],
  ['yall', "y'all"],
  ["yall'll", "y'all'll"],
  ["y'allll", "y'all'll"],
  ["yall'd've", "y'all'd've"],
  ["y'alld've", "y'all'd've"],
  ["y'all'dve", "y'all'd've"],
  ['youd', "you'd"],
  ["youd've", "you'd've"],
  ["you'dve", "you'd've"],
  ['youll', "you'll"],
  ['youre', "you're"],
  ['youve', "you've"],
]);

// A Map, not an object literal: an answer word like "constructor" must not hit Object.prototype.
const NUMBER_MAP: ReadonlyMap<string, string> = new Map([
  ['none', '0'],
  ['zero', '0'],
  ['one', '1'],
  ['two', '2'],
  ['three', '3'],
  ['four', '4'],
  ['five', '5'],
  ['six', '6'],
  ['seven', '7'],
  ['eight', '8'],
  ['nine', '9'],
  ['ten', '10'],
]);

const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the']);

const PUNCTUATIONS: readonly string[] = [';', '/', '[', ']', '"', '{', '}', '(', ')', '=', '+', '\\', '_', '-', '>', '<', '@', '`', ',', '?', '!'];

// Python 3's \d on str matches any Unicode decimal digit, hence \p{Nd}.
const PERIOD_STRIP = /(?!<=\p{Nd})(\.)(?!\p{Nd})/gu;
const COMMA_STRIP = /(?<=\p{Nd})(,)+(?=\p{Nd})/u;
/** The VQA evaluator's own (GT-Vision-Lab vqaEval.py): exactly one comma between two digits. */
export const VQA_EVAL_COMMA_STRIP = /(\p{Nd})(,)(\p{Nd})/u;
/** re.sub(PERIOD_STRIP, "", text, re.UNICODE): re.UNICODE == 32 lands in the count parameter. */
const PERIOD_STRIP_COUNT = 32;

function wordTokenize(word: string): string {
  return word.toLowerCase().replaceAll(',', '').replaceAll('?', '').replaceAll("'s", " 's").trim();
}

/** Punctuation removed (next to a space, or anywhere when a digit comma is present) or spaced out; periods not before a digit dropped. */
export function processPunctuation(inText: string, commaStrip: RegExp = COMMA_STRIP): string {
  let outText = inText;
  const hasDigitComma = commaStrip.test(inText);
  for (const p of PUNCTUATIONS) {
    if (inText.includes(p + ' ') || inText.includes(' ' + p) || hasDigitComma) outText = outText.replaceAll(p, '');
    else outText = outText.replaceAll(p, ' ');
  }
  let removed = 0;
  return outText.replace(PERIOD_STRIP, (m) => (removed++ < PERIOD_STRIP_COUNT ? '' : m));
}

/** Lower-cased, number words to digits, articles dropped, contractions restored. */
export function processDigitArticle(inText: string): string {
  const words = inText
    .toLowerCase()
    .split(/\s+/u)
    .filter((w) => w.length > 0)
    .map((w) => NUMBER_MAP.get(w) ?? w)
    .filter((w) => !ARTICLES.has(w));
  return words.map((w) => CONTRACTIONS.get(w) ?? w).join(' ');
}

/** Normalises a predicted or ground-truth answer exactly as the VQA/TextVQA evaluators do. */
export function normalizeVqaAnswer(answer: string): string {
  let item = wordTokenize(answer);
  item = item.replaceAll('\n', ' ').replaceAll('\t', ' ').trim();
  item = processPunctuation(item);
  return processDigitArticle(item);
}
