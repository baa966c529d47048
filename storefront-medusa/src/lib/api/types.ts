// The parts of the Medusa Store API v1 (1.20.11) this storefront reads. Money is an integer in the
// smallest unit of the region's currency (cents for USD).

export interface Country {
  iso_2: string;
  display_name: string;
}

export interface Region {
  id: string;
  name: string;
  currency_code: string;
  countries: Country[];
}

export interface MoneyAmount {
  currency_code: string;
  amount: number;
  region_id?: string | null;
}

export interface ProductOptionValue {
  id: string;
  value: string;
  option_id: string;
  variant_id: string;
}

export interface ProductOption {
  id: string;
  title: string;
  values: ProductOptionValue[];
}

export interface Variant {
  id: string;
  title: string;
  prices: MoneyAmount[];
  options: { option_id: string; value: string }[];
  inventory_quantity: number;
  manage_inventory: boolean;
  allow_backorder: boolean;
  /** Present only when the request carried a region_id or cart_id (pricing context). */
  calculated_price?: number | null;
  original_price?: number | null;
}

export interface Collection {
  id: string;
  title: string;
  handle: string;
}

export interface Product {
  id: string;
  title: string;
  subtitle: string | null;
  description: string | null;
  handle: string;
  thumbnail: string | null;
  images: { id: string; url: string }[];
  options: ProductOption[];
  variants: Variant[];
  collection_id: string | null;
  collection: Collection | null;
  created_at: string;
}

export interface Address {
  first_name: string;
  last_name: string;
  address_1: string;
  address_2?: string | null;
  city: string;
  province?: string | null;
  postal_code: string;
  country_code: string;
  phone?: string | null;
  company?: string | null;
}

export interface LineItem {
  id: string;
  title: string;
  description: string | null;
  thumbnail: string | null;
  variant_id: string | null;
  variant?: { id: string; title: string; product_id: string; product?: { handle: string } } | null;
  quantity: number;
  unit_price: number;
  subtotal?: number;
  total?: number;
}

export interface ShippingOption {
  id: string;
  name: string;
  amount: number;
  price_incl_tax?: number;
}

export interface ShippingMethod {
  id: string;
  shipping_option_id: string;
  shipping_option?: ShippingOption;
  price: number;
}

export interface PaymentSession {
  id: string;
  provider_id: string;
  is_selected: boolean | null;
  status: string;
}

export interface Totals {
  subtotal: number;
  shipping_total: number;
  discount_total: number;
  tax_total: number | null;
  total: number;
}

export interface Cart extends Totals {
  id: string;
  email: string | null;
  region_id: string;
  region: Region;
  items: LineItem[];
  shipping_address: Address | null;
  shipping_methods: ShippingMethod[];
  payment_sessions: PaymentSession[];
  payment_session: PaymentSession | null;
  completed_at: string | null;
}

export interface Order extends Totals {
  id: string;
  display_id: number;
  status: string;
  payment_status: string;
  email: string;
  currency_code: string;
  items: LineItem[];
  shipping_address: Address | null;
  shipping_methods: ShippingMethod[];
  payments: { id: string; provider_id: string; amount: number }[];
  created_at: string;
}

export interface ListResponse {
  count: number;
  offset: number;
  limit: number;
}

export type CompleteCartResponse =
  | { type: "order"; data: Order }
  | { type: "cart"; data: Cart }
  | { type: "swap"; data: unknown };
