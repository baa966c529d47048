import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { safeNext } from "../App";
import { ApiError } from "../api/client";
import { auth } from "../api/endpoints";
import { saveSession } from "../api/session";
import type { TokenResponse } from "../api/types";
import { Button, Field, Input, describedBy, focusRing } from "../components/ui";

function AuthFrame({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <main className="flex min-h-screen items-start justify-center px-4 py-12 sm:items-center">
      <div className="w-full max-w-sm">
        <p className="mb-2 text-center text-lg font-semibold text-indigo-800">storefleet</p>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <h1 className="mb-4 text-xl font-semibold">{title}</h1>
          {children}
        </div>
        <p className="mt-4 text-center text-sm text-slate-700">{footer}</p>
      </div>
    </main>
  );
}

function useFinishLogin() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [params] = useSearchParams();
  return (response: TokenResponse) => {
    client.clear(); // nothing cached from someone else's session
    saveSession(response);
    const fallback = response.user.role === "admin" ? "/admin" : "/";
    navigate(safeNext(params.get("next")) ?? fallback, { replace: true });
  };
}

function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 423 || error.status === 429)
      return error.retryAfter ? `${error.detail} (try again in ${error.retryAfter} s)` : error.detail;
    return error.detail;
  }
  return "Could not reach storefleet; check your connection and try again.";
}

export function LoginPage() {
  const finish = useFinishLogin();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      finish(await auth.login(email, password));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };
  const next = params.get("next");
  return (
    <AuthFrame
      title="Log in"
      footer={
        <>
          New here?{" "}
          <Link className={`text-indigo-800 underline ${focusRing}`} to={next ? `/signup?next=${encodeURIComponent(next)}` : "/signup"}>
            Create an account
          </Link>
        </>
      }
    >
      {next && <p className="mb-4 text-sm text-slate-700">Log in to continue where you were.</p>}
      <form onSubmit={submit} className="space-y-4" noValidate>
        <Field id="email" label="Email">
          <Input id="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field id="password" label="Password">
          <Input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </Button>
      </form>
    </AuthFrame>
  );
}

// The gateway's minimum (services/passwords.py MIN_PASSWORD_LENGTH); the server checks it again.
const MIN_PASSWORD = 8;

export function SignupPage() {
  const finish = useFinishLogin();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const passwordProblem = password && password.length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passwordProblem || !password) {
      setError(passwordProblem ?? "Choose a password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      finish(await auth.register(email, password, name.trim() || undefined));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : errorText(caught));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (field: string) => (error instanceof ApiError && error.field === field ? error.detail : null);
  const formError =
    typeof error === "string" ? error : error && !["email", "password", "display_name"].includes(error.field ?? "") ? errorText(error) : null;
  return (
    <AuthFrame
      title="Create your account"
      footer={
        <>
          Have an account?{" "}
          <Link className={`text-indigo-800 underline ${focusRing}`} to="/login">
            Log in
          </Link>
        </>
      }
    >
      <form onSubmit={submit} className="space-y-4" noValidate>
        <Field id="email" label="Email" error={fieldError("email")}>
          <Input
            id="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            aria-invalid={Boolean(fieldError("email"))}
            aria-describedby={describedBy("email", false, fieldError("email"))}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field id="display-name" label="Your name (optional)" error={fieldError("display_name")}>
          <Input id="display-name" autoComplete="name" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field
          id="password"
          label="Password"
          hint={`At least ${MIN_PASSWORD} characters.`}
          error={passwordProblem ?? fieldError("password")}
        >
          <Input
            id="password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            aria-invalid={Boolean(passwordProblem ?? fieldError("password"))}
            aria-describedby={describedBy("password", true, passwordProblem ?? fieldError("password"))}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {formError && (
          <p role="alert" className="text-sm text-red-700">
            {formError}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? "Creating your account…" : "Sign up"}
        </Button>
      </form>
    </AuthFrame>
  );
}
