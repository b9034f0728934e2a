export declare const walCoalescingLibrary: string;
export declare function ensureNativeBuild(): boolean;
