import { Link, Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { Checkout } from "./pages/checkout/Checkout";
import { CollectionPage, Collections } from "./pages/Collections";
import { Home } from "./pages/Home";
import { OrderConfirmation } from "./pages/OrderConfirmation";
import { ProductDetail } from "./pages/ProductDetail";
import { Products } from "./pages/Products";

function NotFound() {
  return (
    <div className="py-16 text-center">
      <p className="text-zinc-600">This page does not exist.</p>
      <Link to="/" className="mt-4 inline-block text-brand underline">Back to the shop</Link>
    </div>
  );
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Home />} />
        <Route path="products" element={<Products />} />
        <Route path="products/:handle" element={<ProductDetail />} />
        <Route path="collections" element={<Collections />} />
        <Route path="collections/:handle" element={<CollectionPage />} />
        <Route path="checkout" element={<Checkout />} />
        <Route path="order/:id" element={<OrderConfirmation />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
