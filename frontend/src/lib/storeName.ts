// The store-name rules as the gateway applies them (services/store_names.py), read from
// store-name-rules.json, which make frontend-api-types exports from the gateway itself.
import rules from "../api/store-name-rules.json";

const pattern = new RegExp(rules.pattern);
const reserved = new Set(rules.reserved);
const blocked = new Set(rules.blockedWords);

export const STORE_NAME_MIN = rules.minLength;
export const STORE_NAME_MAX = rules.maxLength;

/** Why the gateway would refuse `name`, in words, or null when it would accept it. */
export function storeNameProblem(name: string): string | null {
  if (name.length === 0) return "Give the store a name.";
  if (name.length < rules.minLength) return `Use at least ${rules.minLength} characters.`;
  if (name.length > rules.maxLength) return `Use at most ${rules.maxLength} characters.`;
  if (!pattern.test(name))
    return "Use lowercase letters, digits and '-', start with a letter and end with a letter or digit.";
  if (name.includes("--")) return "Separate words with a single '-'.";
  if (reserved.has(name) || rules.reservedPrefixes.some((prefix) => name.startsWith(prefix)))
    return "This name is reserved for the platform; choose another.";
  if (name.split("-").some((word) => blocked.has(word)))
    return "This name contains a word we do not allow in store names; choose another.";
  return null;
}

/** A store name suggested from a display name: "Coffee Roasters!" → "coffee-roasters". */
export function suggestStoreName(displayName: string): string {
  return displayName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .slice(0, rules.maxLength)
    .replace(/-+$/, "");
}
