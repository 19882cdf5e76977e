"""The demo model's word-level tokenizer, in Hugging Face's tokenizer.json format, and the same
tokenization in Python for training.

tokenizer.json: a WordLevel model, a Lowercase normalizer and the Whitespace pre-tokenizer
(regex \\w+|[^\\w\\s]+), special tokens <unk> <s> </s> <image> <pad> as added tokens (matched in
the raw text before normalisation, as the tokenizers library does). tokenizer_config.json adds BOS,
as LlamaTokenizerFast does for LLaVA-1.5, and carries the LLaVA-1.5 chat template.
"""
import re

SPECIALS = ["<unk>", "<s>", "</s>", "<image>", "<pad>"]
UNK, BOS, EOS, IMAGE, PAD = range(5)

COLOURS = ["red", "orange", "yellow", "green", "cyan", "blue", "purple"]
SHAPES = ["circle", "square", "triangle", "star", "diamond", "hexagon"]
LETTERS = ["e", "f", "h", "k", "l", "t", "x", "z", "m", "n", "v", "y"]
DIGITS = ["1", "2", "3", "4", "5", "7"]
ANSWERS = COLOURS + SHAPES + ["yes", "no"] + LETTERS + DIGITS

# Every word the world's question templates, the chat template, LLaVA's short-answer instruction
# and ViCrop's generic prompt use (src/engine/world/questions.ts), then a few common words so that
# a user's own wording is not all <unk>.
PROMPT_WORDS = """user assistant system : ? . , \\n
what color colour shape is the of there a an in image letter number on left right above below
object small large answer question using single word or phrase write general description
describe this picture which where how many are and with it to""".replace("\\n", "").split()

INSTRUCTION = "Answer the question using a single word or phrase."

CHAT_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}{% endif %}"
    "{# Render all images first #}{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}"
    "{# Render all text next #}{% if message['role'] != 'assistant' %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] + ' '}}{% endfor %}"
    "{% else %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{% generation %}{{ content['text'] + ' '}}{% endgeneration %}{% endfor %}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
)


def vocabulary() -> list[str]:
    words: list[str] = list(SPECIALS)
    for w in PROMPT_WORDS + ANSWERS:
        if w not in words:
            words.append(w)
    return words


_WORD = re.compile(r"\w+|[^\w\s]+")
_SPECIAL = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")


class WordTokenizer:
    def __init__(self, words: list[str]):
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}

    def encode(self, text: str, add_bos: bool = True) -> list[int]:
        out = [BOS] if add_bos else []
        for part in _SPECIAL.split(text):
            if part in self.ids and part in SPECIALS:
                out.append(self.ids[part])
                continue
            out.extend(self.ids.get(w, UNK) for w in _WORD.findall(part.lower()))
        return out

    def prompt(self, question: str, images: int, instruction: bool = True) -> list[int]:
        """The chat template rendered for one user turn (images first) with the generation prompt, tokenized with BOS."""
        text = question + ("\n" + INSTRUCTION if instruction else "")
        return self.encode("USER: " + "<image>\n" * images + text + " " + "ASSISTANT:")


def tokenizer_json(words: list[str]) -> dict:
    added = [
        {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for i, s in enumerate(SPECIALS)
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": {w: i for i, w in enumerate(words)}, "unk_token": "<unk>"},
    }


def tokenizer_config() -> dict:
    return {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "clean_up_tokenization_spaces": False,
        "model_max_length": 1024,
        "padding_side": "left",
        "tokenizer_class": "PreTrainedTokenizerFast",
        "chat_template": CHAT_TEMPLATE,
    }
