// Shows a token without showing it: the same rule as the Rust core's mask_token.

/** First and last four characters; a token of 12 characters or fewer shows only its length. */
export function maskToken(token: string): string {
  const chars = [...token.trim()];
  if (chars.length <= 12) return `•••• (${chars.length} characters)`;
  return `${chars.slice(0, 4).join("")}…${chars.slice(-4).join("")}`;
}
