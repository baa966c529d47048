// Radio cards and a switch on Radix primitives: arrow keys move between cards, Space toggles.
import * as RadioGroup from "@radix-ui/react-radio-group";
import * as SwitchPrimitive from "@radix-ui/react-switch";
import clsx from "clsx";
import { focusRing } from "./ui";

export interface CardOption<T extends string> {
  value: T;
  title: string;
  description: string;
}

export function RadioCards<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: CardOption<T>[];
  onChange: (value: T) => void;
}) {
  return (
    <fieldset>
      <legend className="mb-2 text-sm font-medium text-slate-800">{label}</legend>
      <RadioGroup.Root
        value={value}
        onValueChange={(next) => onChange(next as T)}
        className="grid gap-3 sm:grid-cols-2"
        aria-label={label}
      >
        {options.map((option) => (
          <RadioGroup.Item
            key={option.value}
            value={option.value}
            aria-label={option.title}
            className={clsx(
              "rounded-lg border-2 p-4 text-left",
              focusRing,
              value === option.value ? "border-indigo-700 bg-indigo-50" : "border-slate-200 bg-white hover:border-slate-400",
            )}
          >
            <span className="block font-medium text-slate-900">{option.title}</span>
            <span className="mt-1 block text-sm text-slate-700">{option.description}</span>
          </RadioGroup.Item>
        ))}
      </RadioGroup.Root>
    </fieldset>
  );
}

export function Toggle({
  id,
  label,
  description,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  description: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="flex items-start gap-3">
      <SwitchPrimitive.Root
        id={id}
        checked={checked}
        onCheckedChange={onChange}
        aria-describedby={`${id}-description`}
        className={clsx(
          "relative mt-0.5 h-6 w-11 shrink-0 rounded-full transition-colors",
          focusRing,
          checked ? "bg-indigo-700" : "bg-slate-400",
        )}
      >
        <SwitchPrimitive.Thumb
          className={clsx(
            "block h-5 w-5 translate-x-0.5 rounded-full bg-white shadow transition-transform",
            checked && "translate-x-[1.375rem]",
          )}
        />
      </SwitchPrimitive.Root>
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        <p id={`${id}-description`} className="text-sm text-slate-700">
          {description}
        </p>
      </div>
    </div>
  );
}
