"use client";

import { useId, useState, type KeyboardEvent } from "react";
import { cn } from "@/lib/utils";
import { Input } from "./input";

/**
 * A text field with a list of suggestions, following the WAI-ARIA combobox pattern (list autocomplete): typing opens
 * the list, Down/Up move through it (the field keeps focus, `aria-activedescendant` names the option), Enter or a
 * click picks one, Escape closes the list (and clears the field when it is already closed), Alt+Down opens it. Any
 * text may be kept: the suggestions help, they do not restrict.
 */
export function Combobox({
  id,
  value,
  onChange,
  options,
  loading = false,
  placeholder,
  emptyText,
  className,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** Suggestions for the current text. */
  options: readonly string[];
  loading?: boolean;
  placeholder?: string;
  /** Shown in the open list when there is nothing to suggest. */
  emptyText: string;
  className?: string;
}) {
  const listId = `${useId()}-listbox`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const activeOption = open && active >= 0 && active < options.length ? active : -1;
  const optionId = (i: number) => `${listId}-${i}`;

  function pick(option: string) {
    onChange(option);
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!open || e.altKey) {
        setOpen(true);
        if (e.altKey) return;
      }
      setActive((i) => (options.length === 0 ? -1 : (i + 1) % options.length));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (options.length === 0 ? -1 : i <= 0 ? options.length - 1 : i - 1));
    } else if (e.key === "Enter" && activeOption >= 0) {
      // Picking an option must not also submit the form the field is in.
      e.preventDefault();
      pick(options[activeOption]!);
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        setOpen(false);
        setActive(-1);
      } else if (value !== "") {
        e.preventDefault();
        onChange("");
      }
    }
  }

  return (
    <div className={cn("relative", className)}>
      <Input
        id={id}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={activeOption >= 0 ? optionId(activeOption) : undefined}
        autoComplete="off"
        placeholder={placeholder}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          setOpen(false);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        hidden={!open}
        className="absolute z-20 mt-1 max-h-60 w-full min-w-48 overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
      >
        {options.map((option, i) => (
          <li
            key={option}
            id={optionId(i)}
            role="option"
            aria-selected={i === activeOption}
            // mousedown, not click: a click would first blur the field and close the list under the pointer.
            onMouseDown={(e) => {
              e.preventDefault();
              pick(option);
            }}
            className={cn(
              "cursor-pointer truncate px-3 py-1.5",
              i === activeOption ? "bg-brand-50 text-brand-900" : "",
            )}
          >
            {option}
          </li>
        ))}
        {options.length === 0 ? (
          <li role="presentation" className="px-3 py-1.5 text-slate-500">
            {loading ? "Loading…" : emptyText}
          </li>
        ) : null}
      </ul>
    </div>
  );
}
