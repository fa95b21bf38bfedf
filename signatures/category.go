package signatures

import (
	"maps"
	"slices"
)

// Categories a service can belong to. The id is what the wire and the
// inventory carry; the label is what a report shows.
var categories = map[string]string{
	"chat_assistant":     "Chat assistant",
	"coding_assistant":   "Coding assistant",
	"model_api":          "Model API",
	"agent_platform":     "Agent platform",
	"ai_search":          "AI search",
	"image_video":        "Image and video generation",
	"voice_audio":        "Voice and audio",
	"meeting_assistant":  "Meeting assistant",
	"writing_assistant":  "Writing assistant",
	"model_hub":          "Model hub",
	"aggregator":         "Aggregator / router",
	"local_runtime":      "Local LLM runtime",
	"saas_ai_feature":    "AI feature of general SaaS",
	"user_content":       "AI user-content host",
	"productivity":       "AI productivity tool",
	"translation":        "AI translation",
	"data_analytics":     "AI data analytics",
	"presentation":       "AI presentations and design",
	"browser_assistant":  "AI browser or extension",
	"ml_platform":        "ML platform",
	"companion":          "AI companion",
	"education":          "AI education",
	"customer_service":   "AI customer service",
	"research_assistant": "AI research assistant",
	"inference_cloud":    "GPU and inference cloud",
}

// CategoryLabel returns the display label of a category id, or the id itself
// when it is unknown.
func CategoryLabel(id string) string {
	if l, ok := categories[id]; ok {
		return l
	}
	return id
}

// CategoryIDs lists the known category ids, sorted.
func CategoryIDs() []string {
	return slices.Sorted(maps.Keys(categories))
}
