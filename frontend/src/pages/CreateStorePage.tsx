import { useEffect, useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError } from "../api/client";
import type { Engine, StoreCreate } from "../api/types";
import { RadioCards, Toggle } from "../components/Choice";
import { Button, Card, Field, Input, PageTitle, Spinner, describedBy } from "../components/ui";
import { useCountdown } from "../hooks/useCountdown";
import { useCreateStore } from "../hooks/useStores";
import { STORE_NAME_MAX, storeNameProblem, suggestStoreName } from "../lib/storeName";

type Theme = "storefront" | "astra";
const MAX_SETUP_RETRIES = 30;

/** Which field a gateway refusal is about, so the reason shows next to it. */
export function fieldOf(error: ApiError): "name" | "display_name" | null {
  if (error.field === "name" || /a store named/.test(error.detail)) return "name";
  if (error.field === "display_name") return "display_name";
  return null;
}

export function CreateStorePage() {
  const navigate = useNavigate();
  const create = useCreateStore();
  const [displayName, setDisplayName] = useState("");
  const [name, setName] = useState("");
  const [nameEdited, setNameEdited] = useState(false);
  const [engine, setEngine] = useState<Engine>("woocommerce");
  const [theme, setTheme] = useState<Theme>("storefront");
  const [storefront, setStorefront] = useState(true);
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const [cooldownUntil, setCooldownUntil] = useState<number | null>(null);
  const [settingUp, setSettingUp] = useState(false);
  const setupRetries = useRef(0);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const cooldown = useCountdown(cooldownUntil);

  useEffect(() => () => clearTimeout(retryTimer.current), []);

  const effectiveName = nameEdited ? name : suggestStoreName(displayName);
  const clientProblem = storeNameProblem(effectiveName);
  const nameError =
    (touched || nameEdited) && clientProblem
      ? clientProblem
      : serverError && fieldOf(serverError) === "name"
        ? serverError.detail
        : null;
  const displayNameError = serverError && fieldOf(serverError) === "display_name" ? serverError.detail : null;
  const formError = serverError && !fieldOf(serverError) && serverError.status !== 429 ? serverError.detail : null;

  const body = (): StoreCreate => ({
    name: effectiveName,
    engine,
    display_name: displayName.trim() || null,
    ...(engine === "woocommerce" ? { theme } : { storefront }),
  });

  const send = (request: StoreCreate) => {
    create.mutate(request, {
      onSuccess: (store) => {
        setSettingUp(false);
        navigate(`/stores/${encodeURIComponent(store.id)}`);
      },
      onError: (error) => {
        if (!(error instanceof ApiError)) {
          setSettingUp(false);
          setServerError(new ApiError(0, "Could not reach storefleet; check your connection and try again.", null));
          return;
        }
        if (error.status === 503 && error.retryAfter && setupRetries.current < MAX_SETUP_RETRIES) {
          // A brand-new tenant's namespace and quota are still being made: wait as told, ask again.
          setupRetries.current += 1;
          setSettingUp(true);
          retryTimer.current = setTimeout(() => send(request), error.retryAfter * 1000);
          return;
        }
        setSettingUp(false);
        if (error.status === 429 && error.retryAfter) setCooldownUntil(Date.now() + error.retryAfter * 1000);
        setServerError(error);
      },
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (clientProblem || cooldown > 0 || settingUp) return;
    setServerError(null);
    setupRetries.current = 0;
    send(body());
  };

  const busy = create.isPending || settingUp;
  return (
    <>
      <PageTitle>New store</PageTitle>
      <Card className="max-w-2xl">
        <form onSubmit={submit} className="space-y-6" noValidate aria-label="New store">
          <RadioCards<Engine>
            label="Engine"
            value={engine}
            onChange={setEngine}
            options={[
              { value: "woocommerce", title: "WooCommerce", description: "WordPress with WooCommerce and MariaDB." },
              { value: "medusa", title: "Medusa", description: "MedusaJS headless commerce with PostgreSQL." },
            ]}
          />
          {engine === "woocommerce" ? (
            <RadioCards<Theme>
              label="Theme"
              value={theme}
              onChange={setTheme}
              options={[
                { value: "storefront", title: "Storefront", description: "WooCommerce's own clean theme." },
                { value: "astra", title: "Astra", description: "A lightweight, customisable theme." },
              ]}
            />
          ) : (
            <Toggle
              id="storefront"
              label="Storefront"
              description="Also run a ready-made React shop front for shoppers."
              checked={storefront}
              onChange={setStorefront}
            />
          )}
          <Field id="display-name" label="Display name" hint="The name shoppers see." error={displayNameError}>
            <Input
              id="display-name"
              value={displayName}
              maxLength={80}
              aria-invalid={Boolean(displayNameError)}
              aria-describedby={describedBy("display-name", true, displayNameError)}
              onChange={(e) => {
                setDisplayName(e.target.value);
                setServerError(null);
              }}
            />
          </Field>
          <Field
            id="name"
            label="Store id"
            hint={`Part of the store's address: 3–${STORE_NAME_MAX} lowercase letters, digits and '-', starting with a letter.`}
            error={nameError}
          >
            <Input
              id="name"
              value={effectiveName}
              autoCapitalize="none"
              autoCorrect="off"
              spellCheck={false}
              aria-invalid={Boolean(nameError)}
              aria-describedby={describedBy("name", true, nameError)}
              onChange={(e) => {
                setName(e.target.value);
                setNameEdited(true);
                setServerError(null);
              }}
            />
          </Field>
          {formError && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
              {formError}
            </p>
          )}
          {cooldown > 0 && (
            <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
              You created a store moments ago. You can create another in {cooldown} s.
            </p>
          )}
          {settingUp && (
            <p role="status" className="rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900">
              <Spinner /> Setting up your account… your store request will be sent as soon as it is ready.
            </p>
          )}
          <Button type="submit" disabled={busy || cooldown > 0}>
            {busy ? "Creating…" : cooldown > 0 ? `Wait ${cooldown} s` : "Create store"}
          </Button>
        </form>
      </Card>
    </>
  );
}
