import { ImageOff } from "lucide-react";
import { Link } from "react-router";
import type { Product } from "../lib/api/types";
import { cheapestPrice, formatMoney } from "../lib/money";

export function ProductImage({ src, alt, className = "" }: { src: string | null | undefined; alt: string; className?: string }) {
  if (!src) {
    return (
      <div className={`flex aspect-square items-center justify-center bg-zinc-100 text-zinc-400 ${className}`}>
        <ImageOff className="size-8" aria-hidden />
      </div>
    );
  }
  return <img src={src} alt={alt} loading="lazy" className={`aspect-square w-full object-cover ${className}`} />;
}

export function ProductCard({ product, currency }: { product: Product; currency: string }) {
  const price = cheapestPrice(product, currency);
  return (
    <Link to={`/products/${encodeURIComponent(product.handle)}`} className="group block" data-testid="product-card">
      <ProductImage src={product.thumbnail || product.images[0]?.url} alt={product.title} className="rounded-lg group-hover:opacity-90" />
      <div className="mt-2 flex items-baseline justify-between gap-2">
        <h3 className="font-medium">{product.title}</h3>
        {price !== null && (
          <span className="text-sm text-zinc-600">
            {product.variants.length > 1 ? "from " : ""}
            {formatMoney(price, currency)}
          </span>
        )}
      </div>
    </Link>
  );
}
