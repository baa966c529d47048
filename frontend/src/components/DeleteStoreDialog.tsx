// Deleting needs the store's id typed: it cannot be undone, and it also cancels a store that is
// still being set up.
import * as Dialog from "@radix-ui/react-dialog";
import { useState } from "react";
import { Button, Field, Input } from "./ui";

export function DeleteStoreDialog({
  storeId,
  provisioning,
  onConfirm,
  busy,
}: {
  storeId: string;
  provisioning: boolean;
  onConfirm: () => void;
  busy: boolean;
}) {
  const [typed, setTyped] = useState("");
  return (
    <Dialog.Root onOpenChange={() => setTyped("")}>
      <Dialog.Trigger asChild>
        <Button variant="danger">{provisioning ? "Cancel and delete" : "Delete store"}</Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-slate-900/50" />
        <Dialog.Content className="fixed left-1/2 top-1/2 w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-6 shadow-lg">
          <Dialog.Title className="text-lg font-semibold">Delete this store?</Dialog.Title>
          <Dialog.Description className="mt-2 text-sm text-slate-700">
            {provisioning ? "Setting up stops, and " : ""}the store, its data and its admin login are removed for good.
            Type <strong className="font-mono">{storeId}</strong> to confirm.
          </Dialog.Description>
          <form
            className="mt-4 space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              if (typed === storeId) onConfirm();
            }}
          >
            <Field id="confirm-delete" label="Store id">
              <Input id="confirm-delete" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
            </Field>
            <div className="flex flex-wrap justify-end gap-2">
              <Dialog.Close asChild>
                <Button variant="secondary">Keep the store</Button>
              </Dialog.Close>
              <Button type="submit" variant="danger" disabled={typed !== storeId || busy}>
                {busy ? "Deleting…" : "Delete for good"}
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
