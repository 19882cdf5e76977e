"""LLaVA-1.5 (transformers LlavaForConditionalGeneration, v4.45 math) in plain PyTorch.

Module and parameter names follow the Hugging Face checkpoint layout exactly, so that
`state_dict()` is a llava-hf checkpoint:
  vision_tower.vision_model.*    CLIP vision transformer (pre_layrnorm, quick_gelu)
  multi_modal_projector.*        linear_1 -> GELU (erf) -> linear_2
  language_model.model.*         LLaMA (RMSNorm, RoPE, GQA, SwiGLU)
  language_model.lm_head.weight
The equations are in the order of the transformers modeling files; nothing here is an
approximation. src/engine/checkpoint/llava-tensors.ts lists the same names and shapes.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class VisionConfig:
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    image_size: int
    patch_size: int
    layer_norm_eps: float = 1e-5
    num_channels: int = 3


@dataclass
class TextConfig:
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    vocab_size: int
    max_position_embeddings: int = 1024
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads


@dataclass
class LlavaConfig:
    vision: VisionConfig
    text: TextConfig
    image_token_index: int
    vision_feature_layer: int = -2

    @property
    def grid(self) -> int:
        return self.vision.image_size // self.vision.patch_size

    @property
    def tokens_per_image(self) -> int:
        return self.grid * self.grid


# --- CLIP vision tower ---------------------------------------------------------------------------


def quick_gelu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(1.702 * x)


class CLIPVisionEmbeddings(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.randn(c.hidden_size))
        self.patch_embedding = nn.Conv2d(c.num_channels, c.hidden_size, kernel_size=c.patch_size, stride=c.patch_size, bias=False)
        n = (c.image_size // c.patch_size) ** 2 + 1
        self.position_embedding = nn.Embedding(n, c.hidden_size)
        self.register_buffer("position_ids", torch.arange(n).unsqueeze(0), persistent=False)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        b = pixel_values.shape[0]
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)  # [B, g*g, D]
        cls = self.class_embedding.expand(b, 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding(self.position_ids)


class CLIPAttention(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        d = c.hidden_size
        self.heads = c.num_attention_heads
        self.head_dim = d // self.heads
        self.scale = self.head_dim**-0.5
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        split = lambda t: t.view(b, n, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.q_proj(x) * self.scale), split(self.k_proj(x)), split(self.v_proj(x))
        w = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        return self.out_proj((w @ v).transpose(1, 2).reshape(b, n, d))


class CLIPMLP(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(quick_gelu(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.self_attn = CLIPAttention(c)
        self.layer_norm1 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.mlp = CLIPMLP(c)
        self.layer_norm2 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.layers = nn.ModuleList(CLIPEncoderLayer(c) for _ in range(c.num_hidden_layers))


class CLIPVisionTransformer(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.embeddings = CLIPVisionEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.encoder = CLIPEncoder(c)
        # LLaVA never applies it; kept so that the checkpoint loads into transformers without gaps.
        self.post_layernorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def hidden_state(self, pixel_values: torch.Tensor, index: int) -> torch.Tensor:
        """hidden_states[index] of CLIPVisionModel(output_hidden_states=True), computing no more layers than needed."""
        n = len(self.encoder.layers) + 1
        index = index % n
        x = self.pre_layrnorm(self.embeddings(pixel_values))
        for layer in self.encoder.layers[:index]:
            x = layer(x)
        return x


class CLIPVisionModel(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.vision_model = CLIPVisionTransformer(c)


class LlavaMultiModalProjector(nn.Module):
    def __init__(self, vision_hidden: int, text_hidden: int):
        super().__init__()
        self.linear_1 = nn.Linear(vision_hidden, text_hidden)
        self.linear_2 = nn.Linear(text_hidden, text_hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(F.gelu(self.linear_1(x)))


# --- LLaMA ---------------------------------------------------------------------------------------


class LlamaRMSNorm(nn.Module):
    def __init__(self, d: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rope_cos_sin(c: TextConfig, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """LlamaRotaryEmbedding (rope_type 'default'): cos and sin of shape positions.shape + [head_dim], halves repeated."""
    d = c.head_dim
    inv_freq = 1.0 / (c.rope_theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    freqs = positions.float()[..., None] * inv_freq
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def repeat_kv(x: torch.Tensor, rep: int) -> torch.Tensor:
    """GQA: [B, kv, S, D] -> [B, kv * rep, S, D], each key/value head serving `rep` query heads in a row."""
    b, kv, s, d = x.shape
    return x if rep == 1 else x[:, :, None].expand(b, kv, rep, s, d).reshape(b, kv * rep, s, d)


class LlamaAttention(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c.num_attention_heads, c.num_key_value_heads, c.head_dim
        self.q_proj = nn.Linear(c.hidden_size, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(c.hidden_size, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(c.hidden_size, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, self.heads // self.kv_heads), repeat_kv(v, self.heads // self.kv_heads)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask
        w = torch.softmax(scores.float(), dim=-1).to(q.dtype)
        out = (w @ v).transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        return self.o_proj(out), w


class LlamaMLP(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.self_attn = LlamaAttention(c)
        self.mlp = LlamaMLP(c)
        self.input_layernorm = LlamaRMSNorm(c.hidden_size, c.rms_norm_eps)
        self.post_attention_layernorm = LlamaRMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x, cos, sin, mask):
        a, w = self.self_attn(self.input_layernorm(x), cos, sin, mask)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), w


class LlamaModel(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.config = c
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList(LlamaDecoderLayer(c) for _ in range(c.num_hidden_layers))
        self.norm = LlamaRMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, inputs_embeds, attention_mask=None, output_attentions=False, position_ids=None, attn_bias=None):
        """inputs_embeds [B, S, H]; attention_mask [B, S] (1 = real token, 0 = right padding).

        Training packs several prompts that share a prefix into one row: position_ids [B, S] then
        restart each prompt's positions after the prefix and attn_bias [B, 1, S, S] (0 or -inf)
        says which keys each query may see, so every packed prompt is computed exactly as if alone."""
        b, s, _ = inputs_embeds.shape
        positions = torch.arange(s) if position_ids is None else position_ids
        cos, sin = rope_cos_sin(self.config, positions)
        if cos.dim() == 3:
            cos, sin = cos[:, None], sin[:, None]
        if attn_bias is not None:
            mask = attn_bias
        else:
            mask = torch.full((s, s), float("-inf")).triu(1)[None, None]
        if attention_mask is not None:
            pad = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
            mask = mask + pad
        x = inputs_embeds
        attentions = []
        for layer in self.layers:
            x, w = layer(x, cos, sin, mask)
            if output_attentions:
                attentions.append(w)
        return self.norm(x), attentions


class LlamaForCausalLM(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.model = LlamaModel(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)


class LlavaForConditionalGeneration(nn.Module):
    def __init__(self, c: LlavaConfig):
        super().__init__()
        self.config = c
        self.vision_tower = CLIPVisionModel(c.vision)
        self.multi_modal_projector = LlavaMultiModalProjector(c.vision.hidden_size, c.text.hidden_size)
        self.language_model = LlamaForCausalLM(c.text)

    def image_features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """[N, 3, S, S] -> [N, T, H]: hidden_states[vision_feature_layer] without CLS ('default'), projected."""
        h = self.vision_tower.vision_model.hidden_state(pixel_values, self.config.vision_feature_layer)
        return self.multi_modal_projector(h[:, 1:])

    def forward(self, input_ids, pixel_values=None, attention_mask=None, output_attentions=False, positions_only=None, position_ids=None, attn_bias=None, image_features=None):
        """input_ids [B, S] with image placeholders expanded; pixel_values [N, 3, S, S], images in prompt order.

        positions_only: optional [B, S] bool; when given, logits are computed only there (training).
        image_features: already computed features [N, T, H] instead of pixel_values (training computes
        them itself to share the vision pass with its auxiliary loss).
        Returns (logits, attentions)."""
        embeds = self.language_model.model.embed_tokens(input_ids)
        if image_features is None and pixel_values is not None and pixel_values.shape[0] > 0:
            image_features = self.image_features(pixel_values)
        if image_features is not None:
            feats = image_features.reshape(-1, embeds.shape[-1])
            slots = input_ids == self.config.image_token_index
            if int(slots.sum()) != feats.shape[0]:
                raise ValueError(f"{int(slots.sum())} image tokens but {feats.shape[0]} feature rows")
            embeds = embeds.masked_scatter(slots[..., None], feats.to(embeds.dtype))
        h, attentions = self.language_model.model(embeds, attention_mask, output_attentions, position_ids, attn_bias)
        if positions_only is not None:
            return self.language_model.lm_head(h[positions_only]), attentions
        return self.language_model.lm_head(h), attentions
