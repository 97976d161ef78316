// One colour per service name, the same on every page and every visit (derived from the name alone).

const cache = new Map<string, string>();

/** FNV-1a, 32-bit: cheap, and spreads similar names (`svc-1`, `svc-2`) apart. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function serviceColor(service: string | undefined): string {
  const name = service ?? 'unknown';
  let color = cache.get(name);
  if (color === undefined) {
    const h = hash(name);
    // Reds are left out: red means error on every page.
    const hue = 25 + (h % 310);
    // Two lightness bands and two saturations make neighbours on the hue circle still tell apart.
    const light = (h >>> 9) & 1 ? 42 : 55;
    const sat = (h >>> 10) & 1 ? 62 : 75;
    color = `hsl(${hue} ${sat}% ${light}%)`;
    cache.set(name, color);
  }
  return color;
}
