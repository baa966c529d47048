import { type FormEvent, useState } from "react";
import { ErrorState } from "../../components/status";
import type { Address, Cart } from "../../lib/api/types";
import { useCart } from "../../lib/cart/cart-context";

const FIELDS: { name: keyof Address; label: string; required: boolean; autoComplete: string }[] = [
  { name: "first_name", label: "First name", required: true, autoComplete: "given-name" },
  { name: "last_name", label: "Last name", required: true, autoComplete: "family-name" },
  { name: "address_1", label: "Address", required: true, autoComplete: "address-line1" },
  { name: "address_2", label: "Apartment, suite (optional)", required: false, autoComplete: "address-line2" },
  { name: "city", label: "City", required: true, autoComplete: "address-level2" },
  { name: "province", label: "State / province", required: false, autoComplete: "address-level1" },
  { name: "postal_code", label: "Postal code", required: true, autoComplete: "postal-code" },
  { name: "phone", label: "Phone (optional)", required: false, autoComplete: "tel" },
];

export function AddressStep({ cart, onDone }: { cart: Cart; onDone: () => void }) {
  const { updateCart } = useCart();
  const countries = cart.region.countries;
  const saved = cart.shipping_address;
  const [email, setEmail] = useState(cart.email ?? "");
  const [address, setAddress] = useState<Address>({
    first_name: saved?.first_name ?? "",
    last_name: saved?.last_name ?? "",
    address_1: saved?.address_1 ?? "",
    address_2: saved?.address_2 ?? "",
    city: saved?.city ?? "",
    province: saved?.province ?? "",
    postal_code: saved?.postal_code ?? "",
    phone: saved?.phone ?? "",
    // Only the cart region's countries are accepted ("Shipping country must be in the cart region").
    country_code: saved?.country_code || countries[0]?.iso_2 || "",
  });
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await updateCart((api, id) => api.updateContact(id, email.trim(), address));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <form onSubmit={save} className="grid gap-4 sm:grid-cols-2" aria-label="Contact and shipping address">
      <label className="text-sm sm:col-span-2">
        Email
        <input type="email" required value={email} autoComplete="email" onChange={(e) => setEmail(e.target.value)} className="mt-1 block w-full rounded-md border border-zinc-300 px-3 py-2" />
      </label>
      {FIELDS.map((f) => (
        <label key={f.name} className="text-sm">
          {f.label}
          <input required={f.required} autoComplete={f.autoComplete} value={(address[f.name] as string | null | undefined) ?? ""}
            onChange={(e) => setAddress({ ...address, [f.name]: e.target.value })}
            className="mt-1 block w-full rounded-md border border-zinc-300 px-3 py-2" />
        </label>
      ))}
      <label className="text-sm">
        Country
        <select required value={address.country_code} onChange={(e) => setAddress({ ...address, country_code: e.target.value })} className="mt-1 block w-full rounded-md border border-zinc-300 px-3 py-2">
          {countries.map((c) => <option key={c.iso_2} value={c.iso_2}>{c.display_name}</option>)}
        </select>
      </label>
      <div className="sm:col-span-2">
        <button type="submit" disabled={saving} className="rounded-md bg-brand px-6 py-2.5 font-medium text-white disabled:opacity-50">
          {saving ? "Saving…" : "Continue to shipping"}
        </button>
      </div>
      {error !== null && <div className="sm:col-span-2"><ErrorState error={error} title="The address was not saved" onRetry={() => save()} /></div>}
    </form>
  );
}
