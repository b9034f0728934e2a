export declare const WEB_DIR: string;
export declare const DIST_DIR: string;
export declare function isDistStale(): boolean;
export declare function ensureWebBuild(): boolean;
