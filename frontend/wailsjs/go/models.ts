export namespace api {
	
	export class NewUserInput {
	    name: string;
	    email: string;
	    role: string;
	    language: string;
	
	    static createFrom(source: any = {}) {
	        return new NewUserInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.email = source["email"];
	        this.role = source["role"];
	        this.language = source["language"];
	    }
	}
	export class OnboardInput {
	    name: string;
	    email: string;
	    language: string;
	
	    static createFrom(source: any = {}) {
	        return new OnboardInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.email = source["email"];
	        this.language = source["language"];
	    }
	}
	export class UserDTO {
	    id: number;
	    name: string;
	    email: string;
	    role: string;
	    language: string;
	    createdAt: string;
	
	    static createFrom(source: any = {}) {
	        return new UserDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.email = source["email"];
	        this.role = source["role"];
	        this.language = source["language"];
	        this.createdAt = source["createdAt"];
	    }
	}
	export class SessionState {
	    onboarded: boolean;
	    user?: UserDTO;
	    language: string;
	
	    static createFrom(source: any = {}) {
	        return new SessionState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.onboarded = source["onboarded"];
	        this.user = this.convertValues(source["user"], UserDTO);
	        this.language = source["language"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class VaultStatusDTO {
	    available: boolean;
	    reason: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new VaultStatusDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.available = source["available"];
	        this.reason = source["reason"];
	        this.message = source["message"];
	    }
	}
	export class SystemStatus {
	    version: string;
	    dataDir: string;
	    storageError: string;
	    vault: VaultStatusDTO;
	
	    static createFrom(source: any = {}) {
	        return new SystemStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.dataDir = source["dataDir"];
	        this.storageError = source["storageError"];
	        this.vault = this.convertValues(source["vault"], VaultStatusDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	

}

